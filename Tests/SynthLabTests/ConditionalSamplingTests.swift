import Foundation
import Testing
import SynthKit
@testable import SynthLab
@testable import SynthShell
import SynthMath

@Suite("Sampling given several categories")
struct ConditionalSamplingTests {
    /// A stand-in generator: each draw's rows depend only on its seed, column `a` is the category
    /// asked for, `b` cycles through x, y, z from a seeded start, `n` counts the rows drawn, `v`
    /// is half of `n`.
    final class Draws {
        var calls: [(rows: Int, condition: String?, seed: UInt64)] = []
        var drawn = 0

        func draw(_ rows: Int, _ condition: ConditionalSampling.Condition?, _ seed: UInt64) throws -> Table {
            calls.append((rows, condition.map { "\($0.column)=\($0.value)" }, seed))
            let start = Int(seed % 3)
            let b = (0..<rows).map { Int32((start + $0) % 3) }
            let n = (0..<rows).map { Int64(drawn + $0) }
            drawn += rows
            return try Table(columns: [
                Column(name: "a", values: .categorical(codes: [Int32](repeating: 0, count: rows), levels: [condition?.value ?? "free"])),
                Column(name: "b", values: .categorical(codes: b, levels: ["x", "y", "z"])),
                Column(name: "n", values: .integer(n)),
                Column(name: "v", values: .continuous(n.map { Double($0) / 2 })),
            ])
        }
    }

    @Test func keepsTheRowsThatMeetTheOtherConditionsInOrder() throws {
        let draws = Draws()
        let table = try ConditionalSampling.sample(rows: 700, conditions: [("a", "p"), ("b", "y")], seed: 9, draw: draws.draw)
        #expect(table.rowCount == 700)
        #expect((0..<700).allSatisfy { table.column(named: "a")!.text(at: $0) == "p" && table.column(named: "b")!.text(at: $0) == "y" })
        // Every draw is under the first condition, of at least 500 rows; the first has the seed
        // given, the later ones seeds derived from it, each different.
        #expect(draws.calls.allSatisfy { $0.condition == "a=p" && $0.rows == 700 })
        #expect(draws.calls.count == 3 && draws.calls[0].seed == 9 && Set(draws.calls.map(\.seed)).count == 3)
        // The rows kept come in the order they were drawn.
        let n = (0..<700).map { Int(table.column(named: "n")!.text(at: $0)!)! }
        #expect(n == n.sorted())
        // The same call gives the same rows.
        #expect(try ConditionalSampling.sample(rows: 700, conditions: [("a", "p"), ("b", "y")], seed: 9, draw: Draws().draw) == table)
        #expect(try ConditionalSampling.sample(rows: 700, conditions: [("a", "p"), ("b", "y")], seed: 10, draw: Draws().draw) != table)
        // A small request still draws batches of 500.
        let small = Draws()
        #expect(try ConditionalSampling.sample(rows: 5, conditions: [("a", "p"), ("b", "z")], seed: 1, draw: small.draw).rowCount == 5)
        #expect(small.calls.map(\.rows) == [500])
    }

    @Test func noneOrOneConditionIsOneDraw() throws {
        let draws = Draws()
        _ = try ConditionalSampling.sample(rows: 7, conditions: [], seed: 4, draw: draws.draw)
        _ = try ConditionalSampling.sample(rows: 7, conditions: [("a", "q")], seed: 4, draw: draws.draw)
        #expect(draws.calls.map(\.rows) == [7, 7] && draws.calls.map(\.condition) == [nil, "a=q"] && draws.calls.map(\.seed) == [4, 4])
    }

    @Test func aConditionNoRowMeetsIsNamedWithWhatTheRowsHeld() throws {
        let draws = Draws()
        let error = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("a", "p"), ("b", "unseen")], seed: 1, draw: draws.draw)
        }
        #expect(draws.calls.count == ConditionalSampling.rounds)
        #expect(String(describing: try #require(error)).contains(
            "made only 0 of 10 rows with a = p and b = unseen in 50000 rows drawn given a = p; none of them had b = unseen (they had x, y, z). Put the rarest condition first"), Comment(rawValue: String(describing: error)))
        let typo = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("a", "p"), ("b", "yy")], seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(typo)).contains("none of them had b = yy (did you mean `y`?)"))
        // An integer column's value is a condition too: one row drawn has n = 3.
        let three = try ConditionalSampling.sample(rows: 1, conditions: [("a", "p"), ("n", "3")], seed: 1, draw: Draws().draw)
        #expect(three.rowCount == 1 && three.column(named: "n")?.text(at: 0) == "3")
        let number = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("a", "p"), ("v", "1.5")], seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(number)).contains(
            "where: column 'v' is continuous: only a category, or a value of an integer column, can be a condition"))
        let twice = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("b", "x"), ("b", "y")], seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(twice)).contains("where: b has two conditions"))
    }

    @Test func rowsThatBreakARuleAreLeftOut() throws {
        let draws = Draws()
        let rules = try ConstraintRule.parse("n >= 300; n - 2 * n <= -1")
        let table = try ConditionalSampling.sample(rows: 600, conditions: [], rules: rules, seed: 3, draw: draws.draw)
        let n = (0..<600).map { Int(table.column(named: "n")!.text(at: $0)!)! }
        // The first batch's 300 to 599 and the second's 600 to 899: in order, none under 300.
        #expect(n == Array(300..<900))
        #expect(draws.calls.map(\.condition) == [nil, nil] && draws.calls.map(\.rows) == [600, 600])
        // With a condition too, every draw is under it.
        let both = Draws()
        _ = try ConditionalSampling.sample(rows: 10, conditions: [("a", "p")], rules: rules, seed: 3, draw: both.draw)
        #expect(both.calls.allSatisfy { $0.condition == "a=p" })
        let never = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [], rules: try ConstraintRule.parse("n < 0"), seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(never)).contains("made only 0 of 10 rows with keep n < 0 in 50000 rows drawn; 100.0 % of them broke n < 0"))
        let dependency = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [], rules: try ConstraintRule.parse("a -> b"), seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(dependency)).contains("keep: 'a -> b' is a dependency"))
        let unknown = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [], rules: try ConstraintRule.parse("m >= 0"), seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(unknown)).contains("keep: rule 'm >= 0': no column 'm'"))
    }

    /// NYC taxi trips end after they start, and cost at least their fare, tip and tolls: a
    /// Bayesian network breaks both on many rows, and keep: leaves those rows out.
    @Test func aModelSamplesRowsThatKeepRules() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        let rules = "dropoff >= pickup; total >= fare + tip + tolls"
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("m = fit(bayesian_network(), taxis, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(shell.type("c = constraints(rules: \"\(rules)\")"))
        #expect(shell.type("free = validate(taxis, sample(m, rows: 2000), validators: c, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(shell.type("kept = sample(m, rows: 2000, keep: \"\(rules)\", to: \"\(folder)/trips.csv\")"), Comment(rawValue: shell.errors))
        #expect(shell.type("checked = validate(taxis, kept, validators: c, seed: 1)"), Comment(rawValue: shell.errors))
        func rate(_ name: String) throws -> Double {
            guard case .results(let results) = shell.session.lookup(name) else { throw SupportError("\(name) holds no results") }
            return try #require(results.trials.first?.value(of: "constraint_violation_rate"))
        }
        #expect(try rate("free") > 0.2)
        #expect(try rate("checked") == 0)
        let provenance = try String(contentsOfFile: folder + "/trips.csv.provenance.json", encoding: .utf8)
        #expect(provenance.contains(rules), Comment(rawValue: provenance))
        #expect(shell.result("head(kept, rows: 20)") == shell.result("head(sample(m, rows: 2000, keep: \"\(rules)\"), rows: 20)"))
        #expect(shell.result(#"sample(m, rows: 5, keep: "pickup_zone -> pickup_borough")"#).contains("keep: 'pickup_zone -> pickup_borough' is a dependency"))
        #expect(shell.result(#"sample(m, rows: 5, keep: "fares >= 0")"#).contains("keep: rule 'fares >= 0': no column 'fares' (did you mean `fare`?)"))
        #expect(shell.result(#"sample(m, rows: 5, keep: "fare >=")"#).contains("keep: rule 'fare >=': expected a number or a column name at column 8"))
        #expect(shell.result(#"sample(m, rows: 5, keep: "fare >= 1000000")"#).contains("100.0 % of them broke fare >= 1000000"))
        // synthlab synth and sample take --keep.
        let plugins = try Support.pluginFolder()
        let synth = try Support.synthlab(["synth", "--generator", "gaussian_copula", "--data", Support.data("nyc_taxis.csv"), "--rows", "500", "--seed", "2",
                                          "--out", folder + "/synth.csv", "--keep", rules, "--save-model", folder + "/copula.model"], pluginPath: plugins)
        #expect(synth.status == 0, Comment(rawValue: synth.stderr))
        let again = try Support.synthlab(["sample", "--model", folder + "/copula.model", "--rows", "500", "--out", folder + "/again.csv", "--keep", rules],
                                         pluginPath: plugins)
        #expect(again.status == 0, Comment(rawValue: again.stderr))
        for file in ["synth.csv", "again.csv"] {
            let check = try Support.synthlab(["validate", "--real", Support.data("nyc_taxis.csv"), "--synthetic", folder + "/" + file,
                                              "--validator", "constraints", "--param", "rules=\(rules)", "--json"], pluginPath: plugins)
            let metrics = try #require(try Support.json(check.stdout)["metrics"] as? [[String: Any]])
            #expect(metrics.contains { $0["metric"] as? String == "constraint_violation_rate" && $0["value"] as? Double == 0 }, "\(file)")
        }
        let early = try Support.synthlab(["synth", "--generator", "ctgan", "--param", "epochs=100000", "--data", Support.data("nyc_taxis.csv"),
                                          "--rows", "3", "--seed", "1", "--out", folder + "/x.csv", "--keep", "tips >= 0"], pluginPath: plugins)
        #expect(early.status == 1 && early.stderr.contains("--keep: rule 'tips >= 0': no column 'tips' (did you mean `tip`?)"), Comment(rawValue: early.stderr))
    }

    /// An experiment's trials keep the rules its keep: gives, in worker processes as in this one;
    /// the rules are part of each trial's identity, so the same experiment without them is other trials.
    @Test func anExperimentsTrialsKeepItsRules() throws {
        let shell = try CapturedSession()
        let rules = "dropoff >= pickup; total >= fare + tip + tolls"
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("c = constraints(rules: \"\(rules)\")"))
        for executor in ["workers", "inprocess"] {
            #expect(shell.type("kept = run(experiment(tables: taxis, generators: [independent(), gaussian_copula()], validators: [c, quality], seeds: [1, 2], rows: 300, keep: \"\(rules)\"), executor: \"\(executor)\")"),
                    Comment(rawValue: shell.errors))
            guard case .results(let results) = shell.session.lookup("kept") else { return }
            #expect(results.trials.count == 4 && results.trials.allSatisfy { $0.value(of: "constraint_violation_rate") == 0 }, "\(executor)")
        }
        #expect(shell.type("free = run(experiment(tables: taxis, generators: [independent(), gaussian_copula()], validators: [c, quality], seeds: [1, 2], rows: 300))"),
                Comment(rawValue: shell.errors))
        guard case .results(let free) = shell.session.lookup("free"), case .results(let kept) = shell.session.lookup("kept") else { return }
        #expect(free.trials.allSatisfy { ($0.value(of: "constraint_violation_rate") ?? 0) > 0.1 })
        let freeKeys = Set(free.trials.compactMap { $0.spec?.key }), keptKeys = Set(kept.trials.compactMap { $0.spec?.key })
        #expect(freeKeys.count == 4 && keptKeys.count == 4 && freeKeys.isDisjoint(with: keptKeys))
        #expect(kept.trials.allSatisfy { $0.spec?.rules == rules })
        #expect(shell.result("experiment(tables: taxis, generators: independent(), seeds: 1, keep: \"\(rules)\")").contains("  keep:       \(rules)"))
        #expect(shell.result(#"experiment(tables: taxis, generators: independent(), keep: "pickup_zone -> pickup_borough", learn: false)"#).contains("is a dependency"))
        #expect(shell.result(#"experiment(tables: taxis, generators: independent(), keep: "tips >= 0")"#).contains("no column 'tips' (did you mean `tip`?) in taxis"))
        #expect(shell.result(#"experiment(tables: taxis, generators: independent(), keep: "tip >")"#).contains("keep: rule 'tip >': expected a number or a column name"))
    }

    /// At the prompt and from the command line, with a real generator: every row meets both
    /// conditions, the same call gives the same rows, and the provenance records both.
    @Test func aModelSamplesGivenTwoCategories() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"adult = load("\#(Support.data("adult.csv"))", target: "income")"#))
        #expect(shell.type("m = fit(bayesian_network(), adult, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(shell.type(#"s = sample(m, rows: 400, where: {sex: "Female", income: ">50K"}, to: "\#(folder)/rich-women.csv")"#), Comment(rawValue: shell.errors))
        let table = try CSVReader.read(path: folder + "/rich-women.csv")
        #expect(table.rowCount == 400)
        #expect((0..<400).allSatisfy { table.column(named: "sex")!.text(at: $0) == "Female" && table.column(named: "income")!.text(at: $0) == ">50K" })
        let provenance = try String(contentsOfFile: folder + "/rich-women.csv.provenance.json", encoding: .utf8)
        #expect(provenance.contains(#""condition" : "sex=Female, income=>50K""#) || provenance.contains(#""condition":"sex=Female, income=>50K""#), Comment(rawValue: provenance))
        #expect(shell.result(#"head(sample(m, rows: 400, where: {sex: "Female", income: ">50K"}), rows: 30)"#)
                == shell.result("head(s, rows: 30)"))
        #expect(shell.result(#"sample(m, rows: 5, where: {sex: "Female", sex: "Male"})"#).contains("is given twice"))
        #expect(shell.result(#"sample(m, rows: 5, where: {income: ">50K", sex: "Femal"})"#).contains("none of them had sex = Femal (did you mean `Female`?)"))
        // synthlab sample takes --where twice.
        #expect(shell.type(#"save(m, "\#(folder)/bn.model")"#), Comment(rawValue: shell.errors))
        let run = try Support.synthlab(["sample", "--model", folder + "/bn.model", "--rows", "200", "--out", folder + "/cli.csv",
                                        "--where", "sex=Female", "--where", "income=>50K"], pluginPath: try Support.pluginFolder())
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let cli = try CSVReader.read(path: folder + "/cli.csv")
        #expect(cli.rowCount == 200 && (0..<200).allSatisfy { cli.column(named: "sex")!.text(at: $0) == "Female" && cli.column(named: "income")!.text(at: $0) == ">50K" })
    }
}
