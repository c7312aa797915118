import Foundation
import Testing
@testable import SynthShell

@Suite("Tab completion from the live session")
struct CompletionTests {
    func completer() throws -> (CapturedSession, Completer) {
        let shell = try CapturedSession()
        #expect(shell.type(#"insurance = load("\#(Support.data("insurance.csv"))")"#))
        #expect(shell.type("gen = independent(bins: 8)"))
        return (shell, Completer(session: shell.session))
    }

    @Test func completesCommandWordsAndTheirArguments() throws {
        let (_, completer) = try completer()
        #expect(completer.complete(".plu").insert == "gins ")
        #expect(completer.complete(".mode ma").insert == "rkdown")
        #expect(completer.complete(".timer o").candidates == ["on", "off"])
        #expect(completer.complete(".help expe").insert == "riment")
        #expect(completer.complete(".drop ins").insert == "urance ")
        #expect(completer.complete(".drop insurance g").insert == "en ")
        #expect(Set(completer.complete(".").candidates) == Set(ShellCommands.all.map(\.name)))
    }

    /// compare(), figure() and select() complete a metric from the results they are given, and
    /// compare's `against:` and select's `generators:` and `tables:` a configuration or table as
    /// the results name it.
    @Test func completesMetricsAndConfigurationsOfResults() throws {
        let (shell, completer) = try completer()
        #expect(shell.type(#"r = run(experiment(tables: insurance, generators: [named(gen, "coarse"), gaussian_copula()], seeds: [1], rows: 100, validators: quality), executor: "inprocess")"#),
                Comment(rawValue: shell.errors))
        #expect(completer.complete(#"compare(r, "qua"#).insert == #"lity""#)
        #expect(Set(completer.complete(#"compare(r, "col"#).candidates) == ["column_pair_trends", "column_shapes"])
        #expect(completer.complete(#"compare(r, "quality", against: "co"#).insert == #"arse""#)
        #expect(completer.complete(#"compare(r, "quality", against: ""#).candidates == ["coarse", "gaussian_copula"])
        #expect(completer.complete(#"figure("metric", r, metric: "q"#).insert == #"uality""#)
        // select() lists them the same way, inside a list too, and its tables.
        #expect(completer.complete(#"select(r, metrics: ["column_shapes", "qu"#).insert == #"ality""#)
        #expect(completer.complete(#"select(r, generators: "gau"#).insert == #"ssian_copula""#)
        #expect(completer.complete(#"select(r, tables: "in"#).insert == #"surance""#)
        #expect(completer.complete(#"select(r, except: ["column_s"#).insert == #"hapes""#)
        // and of a table, its columns.
        #expect(completer.complete(#"select(insurance, except: ["reg"#).insert == #"ion""#)
        // Without results among the arguments, a string is a path, as elsewhere.
        #expect(completer.complete(#"compare(insurance, "qua"#).candidates.isEmpty)
    }

    /// Inside a rule string (keep:, the constraints validator's rules), Tab completes the column
    /// name at the cursor: the model's or the table's, and one with a '-' inside backticks.
    @Test func completesColumnNamesInsideRules() throws {
        let (shell, completer) = try completer()
        #expect(shell.type(#"adult = load("\#(Support.data("adult.csv"))")"#))
        #expect(shell.type("m = fit(independent(), insurance, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(completer.complete(#"sample(m, keep: "age >= 18; cha"#).insert == "rges")
        #expect(Set(completer.complete(#"sample(m, keep: "age >= 18; ch"#).candidates) == ["charges", "children"])
        #expect(completer.complete(#"sample(m, keep: "2 * b"#).insert == "mi")
        #expect(completer.complete(#"select(insurance, keep: "smoker -> reg"#).insert == "ion")
        #expect(completer.complete(#"select(adult, keep: "`capital-g"#).insert == "ain`")
        // A name with a '-' is offered only inside backticks; numbers complete to nothing.
        #expect(completer.complete(#"select(adult, keep: "capital"#).candidates.isEmpty)
        #expect(completer.complete(#"select(adult, keep: "age >= 1"#).candidates.isEmpty)
        #expect(completer.complete(#"constraints(rules: "bm"#).insert == "i")
        #expect(Set(completer.complete(#"experiment(tables: insurance, generators: gen, keep: "se"#).candidates) == ["sex"])
        // fit's table is its second argument: its columns, not adult's relationship too.
        #expect(completer.complete(#"fit(bayesian_network(degree: 2), insurance, keep: "re"#).candidates == ["region"])
        // Inside experiment()'s record of each table's rules: the columns of the table named.
        #expect(completer.complete(#"experiment(tables: [insurance, adult], generators: gen, keep: {insurance: "re"#).candidates == ["region"])
        #expect(Set(completer.complete(#"experiment(tables: [insurance, adult], generators: gen, keep: {adult: "capital-g"#).candidates).isEmpty)
        #expect(completer.complete(#"experiment(tables: [insurance, adult], generators: gen, keep: {adult: "`capital-g"#).insert == "ain`")
    }

    @Test func completesPluginIdsFunctionsAndBoundNames() throws {
        let (_, completer) = try completer()
        #expect(completer.complete("g = indep").insert == "endent(")
        #expect(completer.complete("x = insu").insert == "rance")
        #expect(completer.complete("e = exper").insert == "iment(")
        #expect(completer.complete("p = gen with lap").insert == "lace(")
        #expect(completer.complete("p = gen with ").candidates.contains("laplace"))
    }

    @Test func completesParameterNamesAndChoices() throws {
        let (_, completer) = try completer()
        #expect(completer.complete("g = independent(bi").insert == "ns: ")
        #expect(completer.complete("g = independent(bins: 3, ").candidates.sorted() == ["bounds", "categories", "keep_missing", "numeric_model"])
        #expect(completer.complete(#"g = independent(numeric_model: "#).candidates == [#""empirical""#, #""histogram""#])
        #expect(completer.complete(#"g = independent(numeric_model: "hist"#).insert == #"ogram""#)
        #expect(completer.complete("g = independent(keep_missing: f").insert == "alse")
        #expect(completer.complete("e = experiment(tables: insurance, gen").insert == "erators: ")
        #expect(completer.complete("m = fit(gen, ins").insert == "urance")
        #expect(completer.complete(#"r = run(e, executor: "inp"#).insert == #"rocess""#)
    }

    @Test func completesColumnsAndPathsInsideStrings() throws {
        let (_, completer) = try completer()
        #expect(completer.complete(#"head(insurance, columns: ["sm"#).insert == #"oker""#)
        #expect(completer.complete(#"summary(insurance, columns: ["a"#).insert == #"ge""#)
        let folder = Support.temporaryFolder()
        try "x\n1\n".write(toFile: folder + "/numbers.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder + "/nested", withIntermediateDirectories: true)
        #expect(completer.complete(#"t = load("\#(folder)/num"#).insert == #"bers.csv""#)
        #expect(completer.complete(#"t = load("\#(folder)/nes"#).insert == "ted/")
        #expect(completer.complete(".read \(folder)/nu").insert == "mbers.csv")
    }

    @Test func offersNothingWhereNothingFits() throws {
        let (_, completer) = try completer()
        #expect(completer.complete("g = zzz").candidates.isEmpty)
        #expect(completer.complete("x = 12").candidates.isEmpty)
        #expect(completer.complete("g = independent(zz").candidates.isEmpty)
    }
}
