import Foundation
import SynthKit
import Testing

/// The `synthlab` executable end to end, as a user runs it.
struct CommandLineTests {
    @Test func pluginsJSONListsEveryKindTheCPluginAndRejections() throws {
        let folder = try Support.pluginFolder()
        try "junk".write(toFile: folder + "/broken.so", atomically: true, encoding: .utf8)
        let result = try Support.synthlab(["plugins", "--json"], pluginPath: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Support.json(result.stdout)
        let plugins = try #require(json["plugins"] as? [[String: Any]])
        let byId = Dictionary(uniqueKeysWithValues: plugins.map { ($0["id"] as! String, $0) })
        #expect(byId["independent"]?["kind"] as? String == "generator")
        #expect(byId["laplace"]?["kind"] as? String == "privacy")
        #expect(byId["column_shapes"]?["kind"] as? String == "validator")
        #expect(byId["missing_rates"]?["path"] as? String == folder + "/libsynth_missing_rates.so")
        #expect(byId["independent"]?["version"] as? String == "1.2.0")
        let parameters = try #require(byId["independent"]?["parameters"] as? [[String: Any]])
        let bins = try #require(parameters.first { $0["id"] as? String == "bins" })
        #expect(bins["type"] as? String == "int" && bins["default"] as? Int == 32 && bins["min"] as? Double == 2)
        let epsilon = try #require((byId["laplace"]?["parameters"] as? [[String: Any]])?.first)
        #expect(epsilon["required"] as? Bool == true && epsilon["privacy_relevant"] as? Bool == true)
        // The executable's own folder comes later on the search path and holds the same built-ins;
        // those copies are rejected as repeated ids. Only the broken file is from our folder.
        let rejected = try #require(json["rejected"] as? [[String: Any]]).filter { ($0["path"] as? String)?.hasPrefix(folder) == true }
        #expect(rejected.count == 1)
        #expect(rejected.first?["path"] as? String == folder + "/broken.so")
        #expect((rejected.first?["reason"] as? String)?.contains("not an ELF") == true)
    }

    @Test func synthIsDeterministicAndKeepsColumnsAndKinds() throws {
        let folder = Support.temporaryFolder()
        let adult = Support.data("adult.csv")
        func synth(seed: Int, to name: String) throws {
            let result = try Support.synthlab(["synth", "--generator", "independent", "--data", adult, "--rows", "32561",
                                               "--seed", String(seed), "--out", folder + "/" + name])
            #expect(result.status == 0, "\(result.stderr)")
        }
        try synth(seed: 7, to: "a.csv")
        try synth(seed: 7, to: "b.csv")
        try synth(seed: 8, to: "c.csv")
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/a.csv"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: folder + "/b.csv"))))
        #expect(a != (try Data(contentsOf: URL(fileURLWithPath: folder + "/c.csv"))))
        let real = try CSVReader.read(path: adult), synthetic = try CSVReader.read(path: folder + "/a.csv")
        #expect(synthetic.columnNames == real.columnNames)
        #expect(synthetic.kinds == real.kinds)
        #expect(synthetic.rowCount == 32_561)
        // Missing values are reproduced at about the real rate (1,836 of 32,561 in workclass).
        let missing = synthetic.column(named: "workclass")!.missingCount
        #expect(abs(missing - 1_836) < 200)
        // Only the written files and their provenance records are left in the folder: no temporary files.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == ["a.csv", "a.csv.provenance.json", "b.csv", "b.csv.provenance.json", "c.csv", "c.csv.provenance.json"])
    }

    @Test func synthWithLaplaceReportsTheEpsilonSpent() throws {
        let out = Support.temporaryFolder() + "/private.csv"
        let result = try Support.synthlab(["synth", "--generator", "independent", "--privacy", "laplace", "--param", "epsilon=1",
                                           "--data", Support.data("adult.csv"), "--rows", "2000", "--seed", "7", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Support.json(result.stdout)
        #expect(json["epsilon_spent"] as? Double == 1)
        #expect(json["delta_spent"] as? Double == 0)
        #expect((json["privacy"] as? [String: Any])?["id"] as? String == "laplace")
        let synthetic = try CSVReader.read(path: out)
        #expect(synthetic.rowCount == 2000)
        #expect(synthetic.kinds == (try CSVReader.read(path: Support.data("adult.csv"))).kinds)

        // Under ε = 1 over 15 columns, a narrow integer column keeps its shape (one bin per value).
        let scores = try Support.json(try Support.synthlab(["validate", "--real", Support.data("adult.csv"), "--synthetic", out,
                                                            "--validator", "column_shapes", "--json"]).stdout)
        let hours = (scores["metrics"] as? [[String: Any]])?.first { $0["column"] as? String == "hours-per-week" }
        #expect((hours?["value"] as? Double).map { $0 > 0.9 } == true, "\(String(describing: hours))")

        let text = try Support.synthlab(["synth", "--generator", "independent", "--privacy", "laplace", "--param", "epsilon=0.5",
                                         "--data", Support.data("insurance.csv"), "--rows", "10", "--seed", "1", "--out", out])
        #expect(text.stdout.contains("spent ε = 0.5, δ = 0.0"))
    }

    /// ctgan composed with dp_sgd on the command line takes pac 1 unless told another value,
    /// which is refused before the table is read.
    @Test func synthComposesCTGANWithDPSGD() throws {
        let out = Support.temporaryFolder() + "/dp.csv"
        let arguments = ["synth", "--generator", "ctgan", "--privacy", "dp_sgd", "--param", "epochs=1", "--param", "batch_size=100",
                         "--param", "epsilon=2", "--data", Support.data("insurance.csv"), "--rows", "20", "--seed", "3", "--out", out, "--json"]
        let result = try Support.synthlab(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let generator = try #require(try Support.json(result.stdout)["generator"] as? [String: Any])
        #expect((generator["parameters"] as? [String: Any])?["pac"] as? Int == 1, "\(generator)")
        let refused = try Support.synthlab(arguments + ["--param", "pac=5"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("ctgan composed with dp_sgd takes pac: 1, got pac: 5"), "\(refused.stderr)")
    }

    @Test func validateRunsEveryValidatorAndKeepsTheOthersWhenOneFails() throws {
        let folder = Support.temporaryFolder()
        let adult = try CSVReader.read(path: Support.data("adult.csv"))
        try CSVWriter.write(adult.rows(Array(0..<2000)), to: folder + "/train.csv")
        try CSVWriter.write(adult.rows(Array(2000..<3000)), to: folder + "/holdout.csv")
        try CSVWriter.write(adult.rows(Array(3000..<5000)), to: folder + "/synthetic.csv")
        let common = ["validate", "--real", folder + "/train.csv", "--synthetic", folder + "/synthetic.csv",
                      "--holdout", folder + "/holdout.csv", "--target", "income", "--json"]
        let run = try Support.synthlab(common + ["--param", "sensitive=sex", "--param", "rules=age >= 17; education -> `education-num`"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("are rows of"), "\(run.stderr)")
        let json = try Support.json(run.stdout)
        let validators = try #require(json["validators"] as? [String])
        #expect(Set(validators) == ["column_shapes", "missing_rates", "fidelity", "quality", "utility", "augmentation", "bias",
                                    "detection", "privacy_risk", "constraints"])
        #expect((json["failed"] as? [Any])?.isEmpty == true)
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        for id in validators { #expect(metrics.contains { $0["validator"] as? String == id }, "\(id)") }
        for metric in metrics {
            // A value, or null and the reason.
            let hasValue = metric["value"] is Double
            #expect(hasValue == (metric["not_applicable"] is NSNull), "\(metric)")
        }
        #expect(metrics.contains { $0["metric"] as? String == "mia_auc" && $0["value"] is Double })
        #expect(metrics.contains { $0["metric"] as? String == "parity_gap_real" && $0["value"] is Double })
        // Real rows break no rule of adult's codebook; the rows compared here are real too.
        #expect(metrics.contains { $0["metric"] as? String == "constraint_violation_rate_real" && $0["value"] as? Double == 0 })
        #expect(metrics.contains { $0["metric"] as? String == "constraint_violations" && $0["column"] as? String == "education -> `education-num`" })

        let failing = try Support.synthlab(common + ["--param", "sensitive=nope"])
        #expect(failing.status == 1)
        #expect(failing.stderr == "synthlab: validator bias failed: the real table has no column 'nope' (parameter sensitive)\n", "\(failing.stderr)")
        let kept = try #require(try Support.json(failing.stdout)["metrics"] as? [[String: Any]])
        #expect(kept.contains { $0["metric"] as? String == "boosting_roc_auc" })
        #expect((try Support.json(failing.stdout)["failed"] as? [[String: Any]])?.first?["validator"] as? String == "bias")

        // As text, the failed validator keeps its place among the others.
        let text = try Support.synthlab(Array(common.dropLast()) + ["--param", "sensitive=nope", "--validator", "column_shapes", "--validator", "bias"])
        #expect(text.status == 1)
        #expect(text.stdout.hasPrefix("column_shapes:\n") && text.stdout.hasSuffix("\nbias: failed (the error is on standard error)\n"), "\(text.stdout)")

        // A holdout that is the real table is named as such; the metrics are still given.
        let notHeldOut = try Support.synthlab(["validate", "--real", folder + "/train.csv", "--synthetic", folder + "/synthetic.csv",
                                               "--holdout", folder + "/train.csv", "--validator", "privacy_risk"])
        #expect(notHeldOut.status == 0, "\(notHeldOut.stderr)")
        #expect(notHeldOut.stderr.contains("[warning] 2000 of the 2000 rows of \(folder)/train.csv (100 %) are rows of \(folder)/train.csv too; --holdout takes real rows the model was not fitted on"),
                "\(notHeldOut.stderr)")
        #expect(notHeldOut.stdout.contains("mia_auc"))

        let typo = try Support.synthlab(common + ["--param", "sensitve=sex"])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("unknown parameter 'sensitve'"), "\(typo.stderr)")
    }

    /// `--out /dev/stdout` writes the rows through standard output, whatever it is (a pipe, a file),
    /// and the report goes to stderr; /dev/stdout itself, and /dev, are left as they were.
    @Test func rowsGoToStandardOutputWithTheReportOnStandardError() throws {
        let insurance = Support.data("insurance.csv")
        let common = ["synth", "--generator", "independent", "--data", insurance, "--rows", "5", "--seed", "3"]
        let folder = Support.temporaryFolder()
        let file = folder + "/rows.csv"
        _ = try Support.synthlab(common + ["--out", file])
        let expected = try String(contentsOfFile: file, encoding: .utf8)
        let piped = try Support.synthlab(common + ["--out", "/dev/stdout"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == expected)
        #expect(piped.stderr.contains("wrote 5 rows × 7 columns to /dev/stdout"), "\(piped.stderr)")
        // Standard output redirected to a file: the rows land in it, and no file replaces /dev/stdout.
        let quoted = ([Support.executable] + common + ["--out", "/dev/stdout"]).map { "'\($0)'" }.joined(separator: " ")
        let redirected = try Support.run("/bin/sh", ["-c", "\(quoted) > '\(folder)/redirected.csv'"], environment: [:])
        #expect(redirected.status == 0, "\(redirected.stderr)")
        #expect(try String(contentsOfFile: folder + "/redirected.csv", encoding: .utf8) == expected)
        var info = stat()
        #expect(lstat("/dev/stdout", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "/dev/stdout is still a link")
        #expect(!FileManager.default.fileExists(atPath: "/dev/stdout.provenance.json"))
        // At the prompt too: the rows come between what the statements before and after print.
        let statements = #"t = load("\#(insurance)"); "before"; save(select(t, columns: ["age"]), "/dev/stdout"); "after""#
        let session = try Support.run("/bin/sh", ["-c", "'\(Support.executable)' -c '\(statements)' > '\(folder)/session.txt'"], environment: [:])
        #expect(session.status == 0, "\(session.stderr)")
        let lines = try String(contentsOfFile: folder + "/session.txt", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 + 1 + 1338 + 1 && lines.first == "\"before\"" && lines[1] == "age" && lines.last == "\"after\"", "\(lines.prefix(3))")
        #expect(lstat("/dev/stdout", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "/dev/stdout is still a link")
        // A device is written into; it gets no provenance file beside it.
        let null = try Support.synthlab(common + ["--out", "/dev/null", "--json"])
        #expect(null.status == 0 && null.stdout.contains("\"rows\" : 5"), "\(null.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/dev/null.provenance.json"))
        #expect(lstat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test func validatePrintsPerColumnScoresAndTheAverage() throws {
        let out = Support.temporaryFolder() + "/s.csv"
        let insurance = Support.data("insurance.csv")
        _ = try Support.synthlab(["synth", "--generator", "independent", "--data", insurance, "--rows", "1338", "--seed", "3", "--out", out])
        let text = try Support.synthlab(["validate", "--real", insurance, "--synthetic", out, "--validator", "column_shapes"])
        #expect(text.status == 0, "\(text.stderr)")
        for column in ["age", "sex", "bmi", "children", "smoker", "region", "charges"] { #expect(text.stdout.contains(column)) }
        #expect(text.stdout.contains("column_shapes"))
        #expect(text.stdout.contains("(table)"))

        let json = try Support.json(try Support.synthlab(["validate", "--real", insurance, "--synthetic", out, "--json"]).stdout)
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        let shapes = metrics.filter { $0["validator"] as? String == "column_shapes" }
        #expect(shapes.count == 8)
        let bmi = try #require(shapes.first { $0["column"] as? String == "bmi" })
        #expect(bmi["metric"] as? String == "ks_complement" && bmi["goal"] as? String == "maximize")
        #expect((bmi["value"] as? Double).map { $0 > 0.8 && $0 <= 1 } == true)
        let smoker = try #require(shapes.first { $0["column"] as? String == "smoker" })
        #expect(smoker["metric"] as? String == "tv_complement")
        let average = try #require(shapes.first { $0["column"] is NSNull })
        let perColumn = shapes.compactMap { $0["column"] is NSNull ? nil : $0["value"] as? Double }
        #expect(abs((average["value"] as? Double ?? 0) - perColumn.reduce(0, +) / Double(perColumn.count)) < 1e-12)
        #expect(metrics.contains { $0["validator"] as? String == "missing_rates" })
    }

    @Test func errorsAreOneLineOnStderrWithNonZeroExit() throws {
        let out = Support.temporaryFolder() + "/x.csv"
        let adult = Support.data("adult.csv")
        let cases: [([String], String)] = [
            (["synth", "--generator", "dpgan", "--data", adult, "--rows", "5", "--seed", "1", "--out", out], "no generator plugin 'dpgan'"),
            (["synth", "--generator", "independent", "--param", "binz=3", "--data", adult, "--rows", "5", "--seed", "1", "--out", out], "unknown parameter 'binz'"),
            (["synth", "--generator", "independent", "--param", "bins=1", "--data", adult, "--rows", "5", "--seed", "1", "--out", out], "parameter 'bins' = 1 is outside [2, 100000]"),
            (["synth", "--generator", "independent", "--privacy", "laplace", "--data", adult, "--rows", "5", "--seed", "1", "--out", out], "'laplace' needs parameter 'epsilon'"),
            (["synth", "--generator", "independent", "--data", "/nonexistent.csv", "--rows", "5", "--seed", "1", "--out", out], "/nonexistent.csv: cannot read the file: no such file"),
            (["synth", "--generator", "independent", "--data", adult, "--rows", "5", "--seed", "1", "--out", "/nonexistent/x.csv"], "the folder /nonexistent does not exist"),
            (["validate", "--real", Support.data("insurance.csv"), "--synthetic", adult],
             "\(adult) and \(Support.data("insurance.csv")) have different columns: \(adult) lacks bmi, children, smoker, region, charges; \(adult) has workclass, fnlwgt, education, education-num,"),
            (["validate", "--real", adult, "--synthetic", adult, "--validator", "column_shapes", "--validator", "utility"],
             "validator 'utility' needs a holdout table (give --holdout) and a target column (give --target)"),
            (["validate", "--real", adult, "--synthetic", adult, "--validator", "privacy_risk", "--target", "income"],
             "validator 'privacy_risk' needs a holdout table (give --holdout)"),
            (["synth", "--generator", "ctgn", "--data", adult, "--rows", "5", "--seed", "1", "--out", out], "no generator plugin 'ctgn' (did you mean `ctgan`?)"),
            (["synth", "--generator", "ctgan", "--param", "pack=2", "--data", adult, "--rows", "5", "--seed", "1", "--out", out], "unknown parameter 'pack' for ctgan (did you mean `pac`?)"),
            (["valdiate"], "no command or script file 'valdiate' (did you mean `validate`?) (commands: repl, plugins, describe, synth, sample, validate, privacy;"),
            (["missing.synth"], "cannot read missing.synth (no such file)"),
            ([Support.repositoryRoot + "/notebooks"], "cannot read \(Support.repositoryRoot)/notebooks (it is a folder)"),
        ]
        for (arguments, message) in cases {
            let result = try Support.synthlab(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aGeneratorAndAPrivacyPluginThatDoNotComposeAreRefusedBeforeAnythingRuns() throws {
        let folder = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/test_plugin.c", to: folder + "/gradient_only.so",
                             defines: ["PLUGIN_ID=\"gradient_only\""])
        let out = Support.temporaryFolder() + "/x.csv"
        let result = try Support.synthlab(["synth", "--generator", "independent", "--privacy", "gradient_only", "--data", Support.data("adult.csv"),
                                           "--rows", "5", "--seed", "1", "--out", out], pluginPath: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("generator 'independent' consumes synth.privacy.statistics/1, but privacy 'gradient_only' provides synth.privacy.gradient/1: they do not compose"))
    }

    @Test func describeShowsKindsAndSummaries() throws {
        let result = try Support.synthlab(["describe", Support.data("nyc_taxis.csv"), "--json"])
        #expect(result.status == 0)
        let json = try Support.json(result.stdout)
        #expect(json["rows"] as? Int == 6433)
        let columns = try #require(json["columns"] as? [[String: Any]])
        let pickup = try #require(columns.first { $0["name"] as? String == "pickup" })
        #expect(pickup["kind"] as? String == "datetime")
        #expect(pickup["min"] as? String == "2019-02-28 23:29:03")
        let payment = try #require(columns.first { $0["name"] as? String == "payment" })
        #expect(payment["missing"] as? Int == 44)
        // The rules its rows keep, for synth --keep.
        #expect(json["rules"] as? [String] == ["dropoff >= pickup", "fare >= tip + tolls", "total >= fare + tip + tolls",
                                               "pickup_zone -> pickup_borough", "dropoff_zone -> dropoff_borough"])
        #expect(try Support.synthlab(["describe", Support.data("adult.csv")]).stdout.contains("rules every row keeps: education -> `education-num`"))
        let text = try Support.synthlab(["describe", Support.data("insurance.csv"), "--kind", "children=categorical"])
        #expect(text.stdout.contains("children") && text.stdout.contains("categorical"))
        // Dates written day first are named, and read with --dates.
        let european = Support.temporaryFolder() + "/european.csv"
        try "day,n\n23.03.2019,1\n01.12.2019,2\n".write(toFile: european, atomically: true, encoding: .utf8)
        let named = try Support.synthlab(["describe", european])
        #expect(named.stderr.contains("[note] day holds dates written as DD.MM.YYYY, read as categories; --dates 'DD.MM.YYYY' reads them as dates"), "\(named.stderr)")
        #expect(try Support.synthlab(["describe", european, "--dates", "DD.MM.YYYY"]).stdout.contains("day     datetime     missing 0, distinct 2, range 2019-03-23 … 2019-12-01"))
        #expect(try Support.synthlab(["describe", european, "--dates", "day=DD.MM.YYYY"]).stdout.contains("day     datetime"))
        let twice = try Support.synthlab(["describe", european, "--dates", "DD.MM.YYYY", "--dates", "MM/DD/YYYY"])
        #expect(twice.status != 0 && twice.stderr.contains("--dates gives one pattern for every column; name the columns of the others"), "\(twice.stderr)")
        // Infinities: the note's option reads the rest as numbers.
        let infinite = Support.temporaryFolder() + "/inf.csv"
        try "x\n1.5\n-inf\n2\n".write(toFile: infinite, atomically: true, encoding: .utf8)
        #expect(try Support.synthlab(["describe", infinite]).stderr.contains("[note] x holds numbers and infinities (-inf), read as categories; --also-missing='-inf' reads"))
        #expect(try Support.synthlab(["describe", infinite, "--also-missing=-inf"]).stdout.contains("x       continuous   missing 1, distinct 2"))
        // In JSON, for programs, as "notes".
        let notes = try Support.json(try Support.synthlab(["describe", infinite, "--json"]).stdout)["notes"] as? [String]
        #expect(notes?.count == 1 && notes?.first?.hasPrefix("x holds numbers and infinities (-inf)") == true, "\(String(describing: notes))")
        #expect((json["notes"] as? [String])?.isEmpty == true, "nyc_taxis reads with no note")
        // synth says it too, before a generator learns them as categories.
        let synthesized = try Support.synthlab(["synth", "--generator", "independent", "--data", european, "--rows", "2", "--seed", "1",
                                                "--out", Support.temporaryFolder() + "/s.csv"])
        #expect(synthesized.status == 0 && synthesized.stderr.contains("[warning] day holds dates written as DD.MM.YYYY, read as categories; --dates 'DD.MM.YYYY' reads them as dates"),
                "\(synthesized.stderr)")
        // Means of values near the largest double, or below a thousandth, are finite and shown.
        let extreme = Support.temporaryFolder() + "/extreme.csv"
        try "big,tiny\n1e308,1e-300\n1.5e308,3e-300\n1.7e308,2e-300\n".write(toFile: extreme, atomically: true, encoding: .utf8)
        let extremes = try Support.synthlab(["describe", extreme]).stdout
        #expect(extremes.contains("mean 1.4e+308") && extremes.contains("mean 2e-300"), "\(extremes)")
        // A tab-separated file is found to be one; --delimiter names it outright, or refuses.
        let tabs = Support.temporaryFolder() + "/tabs.tsv"
        try "a\tb\n1\t2.5\n".write(toFile: tabs, atomically: true, encoding: .utf8)
        #expect(try Support.synthlab(["describe", tabs]).stdout.contains("\(tabs): 1 row, 2 columns"))
        #expect(try Support.synthlab(["describe", tabs, "--delimiter", "tab"]).stdout.contains("\(tabs): 1 row, 2 columns"))
        #expect(try Support.synthlab(["describe", tabs, "--delimiter", ","]).stdout.contains("\(tabs): 1 row, 1 column"))
        let refused = try Support.synthlab(["describe", tabs, "--delimiter", "ab"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--delimiter takes one character other than a quote or a line end, or 'tab', got 'ab'"))
        // A column of dates shows dates, as the CSV writer writes them.
        let file = Support.temporaryFolder() + "/days.csv"
        try "day\n2020-03-01\n2020-01-15\n".write(toFile: file, atomically: true, encoding: .utf8)
        let days = try Support.synthlab(["describe", file])
        #expect(days.stdout == "\(file): 2 rows, 1 column\n  day     datetime     missing 0, distinct 2, range 2020-01-15 … 2020-03-01\n")
    }

    @Test func synthSamplesGivenACategory() throws {
        let plugins = try Support.pluginFolder()
        let out = Support.temporaryFolder() + "/smokers.csv"
        let result = try Support.synthlab(["synth", "--generator", "gaussian_copula", "--data", Support.data("insurance.csv"), "--rows", "300",
                                           "--seed", "1", "--out", out, "--where", "smoker=yes"], pluginPath: plugins)
        #expect(result.status == 0, Comment(rawValue: result.stderr))
        let table = try CSVReader.read(path: out)
        let smoker = try #require(table.column(named: "smoker"))
        #expect(table.rowCount == 300 && (0..<300).allSatisfy { smoker.text(at: $0) == "yes" })
        let refused = try Support.synthlab(["synth", "--generator", "independent", "--data", Support.data("insurance.csv"), "--rows", "3",
                                            "--seed", "1", "--out", out + ".2", "--where", "smoker=yes"], pluginPath: plugins)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("generator 'independent' does not sample conditionally (these do: bayesian_network, ctgan, gaussian_copula, tvae)"))
        let badColumn = try Support.synthlab(["synth", "--generator", "gaussian_copula", "--data", Support.data("insurance.csv"), "--rows", "3",
                                              "--seed", "1", "--out", out + ".3", "--where", "smoke=yes"], pluginPath: plugins)
        #expect(badColumn.status == 1 && badColumn.stderr.contains("has no column 'smoke' (did you mean `smoker`?)"), "\(badColumn.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + ".3"))
        // A typo in --where is refused before a long fit, not after it: no model file is written.
        let early = try Support.synthlab(["synth", "--generator", "ctgan", "--param", "epochs=100000", "--data", Support.data("insurance.csv"),
                                          "--rows", "3", "--seed", "1", "--out", out + ".4", "--where", "smoke=yes", "--save-model", out + ".model"],
                                         pluginPath: plugins)
        #expect(early.status == 1 && early.stderr.contains("has no column 'smoke'"), "\(early.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + ".model"))
        // A model from --save-model samples given a category with synthlab sample.
        #expect(try Support.synthlab(["synth", "--generator", "bayesian_network", "--data", Support.data("insurance.csv"), "--rows", "3",
                                      "--seed", "1", "--out", out + ".5", "--save-model", out + ".bn"], pluginPath: plugins).status == 0)
        let fromModel = try Support.synthlab(["sample", "--model", out + ".bn", "--rows", "40", "--out", out + ".6", "--where", "smoker=yes"],
                                             pluginPath: plugins)
        #expect(fromModel.status == 0, Comment(rawValue: fromModel.stderr))
        let sampled = try CSVReader.read(path: out + ".6")
        #expect(sampled.rowCount == 40 && (0..<40).allSatisfy { sampled.column(named: "smoker")!.text(at: $0) == "yes" })
        let typo = try Support.synthlab(["sample", "--model", out + ".bn", "--rows", "4", "--out", out + ".7", "--where", "smokr=yes"], pluginPath: plugins)
        #expect(typo.stderr.contains("--where: the model has no column 'smokr' (did you mean `smoker`?)"), "\(typo.stderr)")
    }
}
