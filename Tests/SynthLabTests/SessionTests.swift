import Foundation
import SynthKit
import SynthLab
import Testing
@testable import SynthShell

@Suite("REPL session: tables, plugins, composition, experiments, output")
struct SessionTests {
    let insurance = Support.data("insurance.csv")

    @Test func loadsAndInspectsATable() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(insurance)", target: "charges", kinds: {children: "categorical"}, missing: ["NA"])"#))
        #expect(shell.result("ins").contains("ins: 1338 rows × 7 columns, target charges"))
        let schema = shell.result("schema(ins)")
        #expect(schema.contains("| children | categorical |"))
        #expect(schema.contains("| charges  | continuous  |       0 | target |"))
        let head = shell.result(#"head(ins, rows: 2, columns: ["age", "smoker"])"#)
        #expect(head.contains("| 19  | yes    |") && head.contains("| 18  | no     |"))
        let summary = shell.result(#"summary(ins, columns: ["age", "region"])"#)
        #expect(summary.contains("| age    | integer     |       0 | 39.2070 |"))
        #expect(summary.contains("|      4 | southeast |"))
    }

    @Test func loadErrorsNameTheProblem() throws {
        let shell = try CapturedSession()
        #expect(!shell.type(#"t = load("\#(insurance)", target: "charge")"#))
        #expect(shell.errors.contains("has no column 'charge' (did you mean `charges`?)"))
        #expect(shell.errors.contains("\n  t = load(") && shell.errors.contains("^"))
        #expect(shell.result(#"load("\#(insurance)", kinds: {age: "integr"})"#).contains("'integr' is not a column kind (did you mean `integer`?)"))
        #expect(shell.result(#"load("\#(insurance)", kinds: {agee: "integer"})"#).contains("has no column 'agee' (did you mean `age`?)"))
        #expect(shell.result(#"load("/no/such/file.csv")"#).contains("no file /no/such/file.csv"))
        let folder = Support.temporaryFolder()
        try "a,b\n1,2,3\n".write(toFile: folder + "/bad.csv", atomically: true, encoding: .utf8)
        #expect(shell.result(#"load("bad.csv")"#.replacingOccurrences(of: "bad.csv", with: folder + "/bad.csv")).contains("bad.csv:2"))
        // A semicolon file is read as one without being told; delimiter: says it outright.
        try "a;b\n1;2\n3;4\n".write(toFile: folder + "/semi.csv", atomically: true, encoding: .utf8)
        #expect(shell.type(#"semi = load("\#(folder)/semi.csv")"#), Comment(rawValue: shell.errors))
        #expect(shell.result("semi").contains("semi: 2 rows × 2 columns"))
        #expect(shell.type(#"whole = load("\#(folder)/semi.csv", delimiter: ",")"#), Comment(rawValue: shell.errors))
        #expect(shell.result("whole").contains("whole: 2 rows × 1 column ("))
        try "a,b\n1,2\n".write(toFile: folder + "/one.csv", atomically: true, encoding: .utf8)
        #expect(shell.type(#"one = load("\#(folder)/one.csv")"#), Comment(rawValue: shell.errors))
        #expect(shell.result("one").contains("one: 1 row × 2 columns ("))
        try "name;weight\nx;1,5\ny;2,25\n".write(toFile: folder + "/comma.csv", atomically: true, encoding: .utf8)
        shell.clear()
        #expect(shell.type(#"text = load("\#(folder)/comma.csv")"#), Comment(rawValue: shell.errors))
        #expect(shell.errors.contains(#"[note] load: weight holds numbers written with a decimal comma (1,5), read as categories; load("\#(folder)/comma.csv", decimal: ",") reads them as numbers"#),
                Comment(rawValue: shell.errors))
        // Dates written month first are named, read with dates:, and shown as dates.
        try "visit,n\n03/23/2019,1\n12/13/2019,2\n".write(toFile: folder + "/us.csv", atomically: true, encoding: .utf8)
        shell.clear()
        #expect(shell.type(#"us = load("\#(folder)/us.csv")"#), Comment(rawValue: shell.errors))
        #expect(shell.errors.contains(#"[note] load: visit holds dates written as MM/DD/YYYY, read as categories; load("\#(folder)/us.csv", dates: "MM/DD/YYYY") reads them as dates"#),
                Comment(rawValue: shell.errors))
        shell.clear()
        #expect(shell.type(#"us = load("\#(folder)/us.csv", dates: "MM/DD/YYYY")"#), Comment(rawValue: shell.errors))
        #expect(shell.errors.isEmpty && shell.result("head(us)").contains("| 2019-12-13 | 2 |"), Comment(rawValue: shell.output))
        #expect(shell.result(#"load("\#(folder)/us.csv", dates: "mm/dd/yyyy")"#).contains(#"dates: takes a pattern of YYYY, MM, DD (and HH, mm, SS)"#))
        try "x\n1.5\ninf\n2\n".write(toFile: folder + "/inf.csv", atomically: true, encoding: .utf8)
        shell.clear()
        #expect(shell.type(#"inf = load("\#(folder)/inf.csv", missing: ["", "NA"])"#), Comment(rawValue: shell.errors))
        #expect(shell.errors.contains(#"[note] load: x holds numbers and infinities (inf), read as categories; load("\#(folder)/inf.csv", also_missing: ["inf"]) reads the infinities as missing and the rest as numbers"#),
                Comment(rawValue: shell.errors))
        #expect(shell.type(#"inf = load("\#(folder)/inf.csv", missing: ["", "NA"], also_missing: ["inf"])"#), Comment(rawValue: shell.errors))
        #expect(shell.result("schema(inf)").contains("| x      | continuous |       1 |"), Comment(rawValue: shell.output))
        #expect(shell.type(#"one = load("\#(folder)/us.csv", dates: {visit: "MM/DD/YYYY"})"#), Comment(rawValue: shell.errors))
        #expect(shell.result("schema(one)").contains("| visit  | datetime |"))
        #expect(shell.result(#"load("\#(folder)/us.csv", dates: {vist: "MM/DD/YYYY"})"#).contains("dates: \(folder)/us.csv has no column 'vist' (did you mean `visit`?)"))
        shell.clear()
        #expect(shell.type(#"w = load("\#(folder)/comma.csv", decimal: ",")"#), Comment(rawValue: shell.errors))
        #expect(shell.errors.isEmpty, Comment(rawValue: shell.errors))
        #expect(shell.result("summary(w)").contains("| weight | continuous  |       0 | 1.8750 |"))
        #expect(shell.result(#"load("\#(folder)/comma.csv", decimal: ";")"#).contains(#"decimal: takes "." or ",", got ";""#))
        #expect(shell.result(#"load("\#(folder)/semi.csv", delimiter: ";;")"#).contains(
            #"delimiter: takes one character other than a quote or a line end, or "tab", got ";;""#))
    }

    @Test func pluginParametersAreCheckedBeforeAnythingRuns() throws {
        let shell = try CapturedSession()
        #expect(shell.result("g = independent(bnis: 3)").contains("'independent' has no parameter 'bnis' (did you mean `bins`?)"))
        #expect(shell.errors.contains("\n                  ^\n"), "the caret is under the parameter name")
        #expect(shell.result("g = independent(bins: 1.5)").contains("'bins' takes an int"))
        #expect(shell.result("g = independent(bins: 0)").contains("outside"))
        #expect(shell.result(#"g = independent(numeric_model: "histogrm")"#).contains("did you mean `histogram`?"))
        #expect(shell.result("p = laplace()").contains("'laplace' needs parameter 'epsilon'"))
        #expect(shell.result("g = indepndent()").contains("no function or plugin 'indepndent' (did you mean `independent`?)"))
        #expect(shell.result("g = independent(3)").contains("plugin parameters are named"))
        // What the schema cannot say, the plugin's create() checks when the configuration is written.
        #expect(shell.result("g = ctgan(batch_size: 7)").contains("ctgan: batch_size 7 is not a multiple of pac 10"))
        #expect(shell.errors.contains("\n      ^\n"), "the caret is under the call")
        #expect(shell.result("g = ctgan(epochs: 1, batch_size: [500, 7])").contains("batch_size 7 is not a multiple of pac 10"))
        #expect(shell.result(#"g = tvae(compress_dims: "128,x")"#).contains("'compress_dims'"))
        #expect(shell.session.boundNames.isEmpty, "no failed statement binds anything")
        #expect(shell.result("g").contains("nothing is bound to 'g': the statement that binds it failed\n"))
        #expect(shell.type("g = independent()"), Comment(rawValue: shell.errors))
        #expect(shell.type(".drop g"), Comment(rawValue: shell.errors))
        #expect(shell.result("g").contains("nothing is bound to 'g'\n"), "a dropped name is not one whose statement failed")
        // Defaults on request: the bare plugin id shows its schema.
        let shown = shell.result("independent")
        #expect(shown.contains("| bins          | int    | 32"))
        #expect(shell.result("params(laplace)").contains("(required)"))
        #expect(shell.result("independent(bins: 8)") == "independent(numeric_model: \"empirical\", bins: 8, keep_missing: true, bounds: \"\", categories: \"\")\n")
    }

    @Test func compositionIsCheckedAgainstCapabilities() throws {
        let folder = try Support.pluginFolder()
        try Support.compileC(Support.fixtures + "/cplugins/test_plugin.c", to: folder + "/gradient_only.so",
                             defines: ["PLUGIN_ID=\"gradient_only\""])
        let shell = try CapturedSession(pluginFolder: folder)
        #expect(shell.type("p = independent(bins: 8) with laplace(epsilon: 1)"))
        #expect(shell.result("p") == "independent(numeric_model: \"empirical\", bins: 8, keep_missing: true, bounds: \"\", categories: \"\") with laplace(epsilon: 1.0)\n")
        let refused = shell.result("q = independent() with gradient_only(epsilon: 1)")
        #expect(refused.contains("generator 'independent' consumes synth.privacy.statistics/1, but privacy 'gradient_only' provides synth.privacy.gradient/1"))
        #expect(shell.result("q = independent() with column_shapes").contains("'column_shapes' is a validator plugin, not a privacy plugin"))
        #expect(shell.result("q = p with laplace(epsilon: 2)").contains("already composed"))
        // A generator takes the parameter values its descriptor asks for when composed (ctgan's
        // pac 1 under DP-SGD) where they were left at their defaults; another value is refused.
        #expect(shell.type("d = ctgan(epochs: 1, batch_size: 100) with dp_sgd(epsilon: 2)"), Comment(rawValue: shell.errors))
        guard case .generator(let composedSpec)? = shell.session.lookup("d") else { Issue.record("d is no generator"); return }
        #expect(composedSpec.generator.parameters["pac"] == .int(1) && composedSpec.label == "ctgan(epochs: 1, batch_size: 100, pac: 1) with dp_sgd(epsilon: 2.0)")
        #expect(shell.result("ctgan(pac: 5, batch_size: 100) with dp_sgd(epsilon: 2)").contains("ctgan composed with dp_sgd takes pac: 1, got pac: 5"))
        #expect(shell.session.boundNames == ["p", "d"])
    }

    @Test func aListArgumentSweeps() throws {
        let shell = try CapturedSession()
        #expect(shell.type("eps = [0.1, 1, 10]"))
        #expect(shell.type("gens = [independent(), independent(bins: 8)] with laplace(epsilon: eps)"))
        guard case .list(let items)? = shell.session.lookup("gens") else { Issue.record("not a list"); return }
        #expect(items.count == 6)
        #expect(shell.type("ps = laplace(epsilon: [1, 2], )"))
        guard case .list(let privacies)? = shell.session.lookup("ps") else { Issue.record("not a list"); return }
        #expect(privacies.count == 2)
        #expect(shell.result("laplace(epsilon: [])").contains("an empty list"))
    }

    @Test func errorsNeverDropABinding() throws {
        let shell = try CapturedSession()
        #expect(shell.result(".names") == "no names are bound yet: NAME = EXPRESSION binds one\n")
        #expect(shell.type(#"ins = load("\#(insurance)")"#))
        #expect(!shell.type(#"ins = load("/missing.csv")"#))
        #expect(!shell.type("ins = ins with laplace(epsilon: 1)"))
        #expect(!shell.type("load = 3"))
        #expect(shell.result("ins").contains("1338 rows"))
        #expect(shell.result(".nmes").contains("no command '.nmes' (did you mean `.names`?)"))
        // A shell command typed without its dot is named; `exit` is `.quit`, and quits nothing.
        #expect(shell.result("help").contains("nothing is bound to 'help'; the shell command is .help"))
        #expect(shell.result("exit").contains("nothing is bound to 'exit'; the shell command is .quit"))
        #expect(shell.result("nmes").contains("nothing is bound to 'nmes'"))
        #expect(!shell.result("nmes").contains("the shell command"))
        #expect(shell.result("ins").contains("1338 rows"), "the session goes on")
        #expect(shell.result(".quit now").contains(".quit takes no argument, got 1: .quit"))
        #expect(shell.result(".read a b").contains(".read takes one argument, got 2: .read FILE (quote a path with spaces)"))
        #expect(shell.result(".seed 99999999999999999999").contains(".seed takes a non-negative integer of at most 18446744073709551615"))
        #expect(shell.result(".names").contains("| ins  | a table | 1338 rows × 7 columns (\(insurance)) |"))
        #expect(shell.type("m = fit(independent(), ins, seed: 4)"), Comment(rawValue: shell.errors))
        #expect(shell.type("e = experiment(ins, [independent(), gaussian_copula()], seeds: [1, 2, 3])"), Comment(rawValue: shell.errors))
        let names = shell.result(".names")
        #expect(names.contains("| m    | a fitted model | independent fitted on ins (seed 4) "), "\(names)")
        #expect(names.contains("| e    | an experiment  | 6 trials: 1 table × 2 generators × 3 seeds "), "\(names)")
        #expect(shell.type(".drop m e"), Comment(rawValue: shell.errors))
        // A list of a bound list, again and again, stops at the depth an expression may reach.
        #expect(shell.type("x = [1]"))
        for _ in 1..<256 { #expect(shell.type("x = [x]")) }
        #expect(shell.result("x = [x]").contains("this value nests more than 256 lists or records deep"))
        #expect(shell.result("x").hasPrefix(String(repeating: "[", count: 256) + "1]"), "x keeps its last value")
    }

    @Test func runsAnExperimentAndExportsItsResults() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"ins = load("\#(insurance)", target: "charges")"#))
        #expect(shell.type("e = experiment(tables: ins, generators: [independent(), independent() with laplace(epsilon: [1, 10])], seeds: [1, 2], rows: 300)"))
        #expect(shell.result("e").contains("1 table × 3 generators × 2 seeds = 6 trials"))
        // A seed, configuration, validator or table name given twice would count one trial twice.
        #expect(shell.result("experiment(tables: ins, generators: independent(), seeds: [1, 2, 1])").contains("seeds: 1 is given twice"))
        #expect(shell.result("experiment(tables: ins, generators: [independent(), independent() with laplace(epsilon: [1, 1.0])])")
            .contains("generators: independent with laplace(epsilon: 1.0) is given twice"))
        #expect(shell.result("experiment(tables: ins, generators: independent(), validators: [column_shapes, column_shapes])")
            .contains("validators: column_shapes is given twice"))
        #expect(shell.result("experiment(tables: [ins, ins], generators: independent())").contains("tables: two tables are named 'ins'"))
        #expect(shell.type("r = run(e)"), Comment(rawValue: shell.errors))
        let table = shell.result("r")
        #expect(table.contains("| ins   | independent with laplace(epsilon: 10.0) |     2 | 10.0000 |"))
        // Each mean shows with its sd in one cell; CSV and JSON give them as two columns.
        let header = try #require(table.split(separator: "\n").first { $0.hasPrefix("| table") })
        #expect(header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.contains("column_shapes"), Comment(rawValue: table))
        #expect(table.range(of: #"\| +[01]\.\d{4}\*? ± 0\.\d{4} \|"#, options: .regularExpression) != nil, Comment(rawValue: table))
        #expect(!table.contains("column_shapes sd"))
        // The same experiment again gives the same numbers.
        #expect(shell.type("r2 = run(e)"))
        #expect(shell.result("r2") == table)
        // What the trials cost: one row per configuration, each over its two trials, with the
        // worker's peak memory (times and memory are measured, so only their form is checked).
        let costs = shell.result("costs(r)")
        let costHeader = try #require(costs.split(separator: "\n").first { $0.hasPrefix("| table") })
        #expect(costHeader.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            == ["table", "generator", "trials", "fit s", "sample s", "validate s", "peak MiB"], Comment(rawValue: costs))
        let costRows = costs.split(separator: "\n").filter { $0.hasPrefix("| ins") }
        #expect(costRows.count == 3, Comment(rawValue: costs))
        for row in costRows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells[2] == "2", Comment(rawValue: costs))
            #expect(cells[3...5].allSatisfy { $0.range(of: #"^\d+\.\d{3} ± \d+\.\d{3}$"#, options: .regularExpression) != nil }, Comment(rawValue: costs))
            #expect(cells[6].range(of: #"^\d+\.\d ± \d+\.\d$"#, options: .regularExpression) != nil, Comment(rawValue: costs))
            #expect(Double(cells[6].split(separator: " ")[0]).map { $0 > 1 } == true, "a worker holds more than a MiB: \(row)")
        }
        #expect(shell.result("costs(ins)").contains("costs() takes experiment results, got a table"))

        for (file, check) in [
            ("r.md", "| ins   | independent with laplace(epsilon: 1.0)  |     2 |  1.0000 |"),
            ("r.csv", "table,generator,seeds,epsilon,delta,rank,column_shapes,column_shapes sd"),
            ("r.tex", "\\begin{tabular}{llrrrrrrr"),
            ("r.json", "\"generator\": \"independent with laplace(epsilon: 1.0)\""),
        ] {
            #expect(shell.type(#"export(r, "\#(folder)/\#(file)")"#), Comment(rawValue: shell.errors))
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(text.contains(check), "\(file): \(text)")
        }
        // A path that ends in .gz is written compressed, in the format of the extension before
        // it, and load() reads a gzipped table back.
        #expect(shell.type(#"export(r, "\#(folder)/r.csv.gz")"#), Comment(rawValue: shell.errors))
        let gz = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/r.csv.gz")))
        #expect(Gzip.isCompressed(gz))
        #expect(String(decoding: try Gzip.decompress(gz), as: UTF8.self).hasPrefix("table,generator,seeds,epsilon,delta,rank,column_shapes,column_shapes sd"))
        #expect(shell.type(#"export(ins, "\#(folder)/ins.csv.gz"); back = load("\#(folder)/ins.csv.gz", target: "charges")"#), Comment(rawValue: shell.errors))
        #expect(shell.result("back").contains("1338 rows × 7 columns, target charges"))
        #expect(shell.result(#"load("https://example.org/data/adult.csv.gz")"#).contains(
            "load() reads a file on this machine, not a network address (https://): download it first (curl -L -o adult.csv.gz 'https://example.org/data/adult.csv.gz'), then load the file"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/r.json"))) as? [[String: Any]]
        #expect(json?.count == 3)
        #expect(shell.type(#"export(details(r), "\#(folder)/details.txt")"#))
        #expect(try String(contentsOfFile: folder + "/details.txt", encoding: .utf8).contains("| ks_complement"))
        #expect(shell.result(#"export(r, "\#(folder)/r.xyz")"#).contains("cannot tell the format"))
        #expect(shell.result(#"export(r, "/no/folder/r.md")"#).contains("error: cannot write /no/folder/r.md: the folder /no/folder does not exist\n"))
        #expect(shell.result(#"export(r, "\#(folder)/r.xyz", format: "markdwn")"#).contains("did you mean `markdown`?"))
        #expect(shell.result(#"run(e, executor: "slurmm")"#).contains("no executor 'slurmm'"))
    }

    /// select() keeps the metrics, configurations and tables listed, in the order given, and
    /// every format shows each mean with its sd: in one cell for people, as two columns for data.
    @Test func selectsPartOfResultsAndShowsEachMeanWithItsSpread() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"ins = load("\#(insurance)", target: "charges")"#))
        #expect(shell.type("""
            r = run(experiment(tables: ins, generators: [independent(), independent(bins: 8, numeric_model: "histogram")],
                               validators: [column_shapes, missing_rates], seeds: [1, 2], rows: 300))
            """), Comment(rawValue: shell.errors))
        // A configuration is named as the results name it; a quote inside a string is written \".
        let histogram = #"independent(numeric_model: "histogram", bins: 8)"#
        #expect(shell.result("r").contains("| \(histogram) |"))
        #expect(shell.type(#"p = select(r, metrics: ["missing_rate_difference", "column_shapes"], generators: ["independent(numeric_model: \"histogram\", bins: 8)", "independent"])"#),
                Comment(rawValue: shell.errors))
        // The results' rows and columns follow the lists.
        let shown = shell.result("p")
        let header = try #require(shown.split(separator: "\n").first { $0.hasPrefix("| table") })
        #expect(header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                == ["table", "generator", "seeds", "rank", "missing_rate_difference", "column_shapes"], Comment(rawValue: shown))
        let rows = shown.split(separator: "\n").filter { $0.hasPrefix("| ins") }
        #expect(rows.count == 2 && rows[0].contains(histogram) && rows[1].contains("| independent "), Comment(rawValue: shown))
        // The same means and sds as the full results', to the digit.
        #expect(shell.type(#"export(r, "\#(folder)/r.json"); export(p, "\#(folder)/p.json"); export(p, "\#(folder)/p.csv")"#), Comment(rawValue: shell.errors))
        let all = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/r.json"))) as? [[String: Any]])
        let part = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/p.json"))) as? [[String: Any]])
        #expect(part.count == 2)
        for row in part {
            let same = try #require(all.first { $0["generator"] as? String == row["generator"] as? String })
            for key in ["column_shapes", "column_shapes sd", "missing_rate_difference", "missing_rate_difference sd"] {
                #expect((row[key] as? Double) != nil && row[key] as? Double == same[key] as? Double, "\(key)")
            }
            #expect(row["quality"] == nil && row["ks_statistic"] == nil)
        }
        let csv = try String(contentsOfFile: folder + "/p.csv", encoding: .utf8)
        #expect(csv.hasPrefix("table,generator,seeds,rank,missing_rate_difference,missing_rate_difference sd,column_shapes,column_shapes sd\n"), Comment(rawValue: csv))
        // Markdown, LaTeX and HTML write "mean ± sd", the best mean in bold and the sd beside it.
        #expect(shell.type(#"export(p, "\#(folder)/p.md"); export(p, "\#(folder)/p.tex"); export(p, "\#(folder)/p.html")"#), Comment(rawValue: shell.errors))
        let markdown = try String(contentsOfFile: folder + "/p.md", encoding: .utf8)
        #expect(markdown.range(of: #"\*\*0\.\d{4}\*\* ± 0\.\d{4} \|"#, options: .regularExpression) != nil, Comment(rawValue: markdown))
        let latex = try String(contentsOfFile: folder + "/p.tex", encoding: .utf8)
        #expect(latex.range(of: #"\\textbf\{0\.\d{4}\} \$\\pm\$ 0\.\d{4}"#, options: .regularExpression) != nil, Comment(rawValue: latex))
        #expect(latex.contains("\\begin{tabular}{llrrrr}"), Comment(rawValue: latex))
        let html = try String(contentsOfFile: folder + "/p.html", encoding: .utf8)
        #expect(html.range(of: #"<strong>0\.\d{4}</strong> ± 0\.\d{4}</td>"#, options: .regularExpression) != nil)
        // Names the results lack, lists with a name twice and empty lists are refused with the place.
        #expect(shell.result(#"select(r, metrics: "qualty")"#).contains("metrics: the results have no metric 'qualty'"))
        #expect(shell.result(#"select(r, metrics: ["column_shape"])"#).contains("did you mean `column_shapes`?"))
        #expect(shell.result(#"select(r, generators: ["independent", "independent"])"#).contains("generators: 'independent' is listed twice"))
        #expect(shell.result(#"select(r, tables: [])"#).contains("tables: the list is empty"))
        #expect(shell.result(#"select(r, tables: "adult")"#).contains("the results have no table 'adult'"))
        #expect(shell.result(#"select(r, columns: "age")"#).contains("columns: is for a table; results take metrics:, except:, generators: or tables:"))
        // except: leaves metrics out, and keeps the others in the results' order.
        let without = shell.result(#"select(r, except: ["missing_rate_difference"])"#)
        #expect(without.contains("| column_shapes") && !without.contains("missing_rate_difference"), Comment(rawValue: without))
        let details = shell.result(#"details(select(r, except: ["column_shapes", "ks_complement"]))"#)
        // (Each line names the validator, then the metric.)
        #expect(!details.contains("| column_shapes | column_shapes ") && !details.contains("| ks_complement ") && details.contains("| missing_rate_difference "),
                Comment(rawValue: details))
        #expect(shell.result(#"select(r, metrics: "column_shapes", except: "missing_rate_difference")"#).contains("give metrics: or except:, not both"))
        #expect(shell.result("p") == shown)
    }

    /// select() of a table keeps the columns listed, in that order, or all but those listed, and
    /// the rows that keep rules:
    /// covid_testing's row number, subject id and made-up names are no data to learn.
    @Test func selectsTheColumnsAndRowsOfATable() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"covid = load("\#(Support.data("covid_testing.csv"))", target: "result")"#))
        #expect(shell.type(#"c = select(covid, except: ["rownames", "subject_id", "fake_first_name", "fake_last_name"])"#), Comment(rawValue: shell.errors))
        #expect(shell.result("c") == "c: 15524 rows × 14 columns, target result (14 of the 18 columns of covid (\(Support.data("covid_testing.csv"))))\n")
        guard case .table(let kept) = shell.session.lookup("c"), case .table(let all) = shell.session.lookup("covid") else {
            Issue.record("c and covid are tables")
            return
        }
        #expect(kept.table.columnNames == all.table.columnNames.filter { !["rownames", "subject_id", "fake_first_name", "fake_last_name"].contains($0) })
        for column in kept.table.columns { #expect(column == all.table.column(named: column.name), "\(column.name) is the same column") }
        #expect(shell.type(#"three = select(covid, columns: ["result", "age", "gender"])"#))
        guard case .table(let three) = shell.session.lookup("three") else { return }
        #expect(three.table.columnNames == ["result", "age", "gender"] && three.target == "result" && three.table.rowCount == 15524)
        // Fitted on the whole table, the row number is named as such; the part has none.
        shell.clear()
        #expect(shell.type("whole = fit(independent(), covid, seed: 1, executor: \"inprocess\")"), Comment(rawValue: shell.errors))
        #expect(shell.errors.contains(#"[warning] independent: rownames holds a different value in (nearly) every row, as a row number, an id or a name does: "#
                                      + #"independent learns it as data, and the rows it makes can carry its real values; leave it out of the table it learns "#
                                      + #"(at the prompt: select(TABLE, except: ["rownames"]))"#), Comment(rawValue: shell.errors))
        shell.clear()
        // A fitted model of the part knows only its columns.
        #expect(shell.type("m = fit(independent(), three, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(!shell.errors.contains("a different value"), Comment(rawValue: shell.errors))
        #expect(shell.result("schema(sample(m, rows: 10))").contains("| gender | categorical |"))
        // Each mistake is named where it is.
        #expect(shell.result(#"select(covid, except: "result")"#).contains("except: result is the table's target; keep it, or load the table without target:"))
        #expect(shell.result(#"select(covid, columns: ["agee"])"#).contains("columns: covid has no column 'agee' (did you mean `age`?)"))
        #expect(shell.result(#"select(covid, except: ["age", "age"])"#).contains("except: 'age' is listed twice"))
        #expect(shell.result(#"select(covid, columns: "age", except: "gender")"#).contains("give columns: or except:, not both"))
        #expect(shell.result(#"select(covid, columns: [])"#).contains("columns: no column would be left"))
        #expect(shell.result(#"select(covid, metrics: "quality")"#).contains("metrics: is for results; a table takes columns:, except: or keep:"))
        // keep: the rows that break no rule, judged before columns are left out; a row with a
        // missing cell a rule reads is kept.
        #expect(shell.type(#"adults = select(covid, keep: "age >= 18; ct_result > 40", except: ["age"])"#), Comment(rawValue: shell.errors))
        guard case .table(let adults) = shell.session.lookup("adults") else { return }
        let age = try #require(all.table.column(named: "age")), ct = try #require(all.table.column(named: "ct_result"))
        let expected = (0..<all.table.rowCount).filter { row in
            let a = age.text(at: row).flatMap(Double.init), c = ct.isMissing(row) ? nil : ct.text(at: row).flatMap(Double.init)
            return (a.map { $0 >= 18 } ?? true) && (c.map { $0 > 40 } ?? true)
        }
        #expect(adults.table.rowCount == expected.count && adults.table.rowCount > 100 && adults.table.column(named: "age") == nil)
        #expect(adults.table.column(named: "ct_result") == ct.taking(expected))
        #expect(shell.result(#"select(covid, keep: "age < 0")"#).contains("keep: every row of covid breaks a rule"))
        #expect(shell.result(#"select(covid, keep: "agee < 0")"#).contains("keep: rule 'agee < 0': no column 'agee' (did you mean `age`?)"))
        #expect(shell.result(#"select(m, columns: "age")"#).contains("select() takes experiment results or a table, got a fitted model"))
    }

    /// training() and holdout() cut a table as an experiment's trial with that seed does: the two
    /// parts hold every row once, and validators that need held-out rows take the second.
    @Test func aTableSplitsIntoTrainingAndHeldOutRows() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"ins = load("\#(insurance)", target: "charges")"#))
        #expect(shell.type("tr = training(ins, 0.25, seed: 3)"), Comment(rawValue: shell.errors))
        #expect(shell.type("ho = holdout(ins, share: 0.25, seed: 3)"), Comment(rawValue: shell.errors))
        #expect(shell.result("ho") == "ho: 335 rows × 7 columns, target charges (335 rows held out of ins (share 0.25, seed 3))\n")
        for name in ["ins", "tr", "ho"] {
            #expect(shell.type(#"save(\#(name), "\#(folder)/\#(name).csv")"#), Comment(rawValue: shell.errors))
        }
        func rows(_ name: String) throws -> [Substring] {
            try String(contentsOfFile: "\(folder)/\(name).csv", encoding: .utf8).split(separator: "\n").dropFirst().map { $0 }
        }
        #expect(try (rows("tr") + rows("ho")).sorted() == rows("ins").sorted())
        #expect(try rows("tr").count == 1003)
        // The rows an experiment's trial with seed 3 and holdout: 0.25 holds out.
        guard case .table(let table)? = shell.session.lookup("ins"), case .table(let held)? = shell.session.lookup("ho") else {
            Issue.record("ins and ho are tables")
            return
        }
        #expect(TrialRunner.split(table.table, share: 0.25, seed: 3).holdout.map(CSVWriter.render) == CSVWriter.render(held.table))
        shell.clear()
        #expect(shell.type("v = validate(tr, sample(fit(independent(), tr, seed: 1)), holdout: ho, validators: utility, seed: 1)"),
                Comment(rawValue: shell.errors))
        #expect(shell.errors.isEmpty, Comment(rawValue: shell.errors))
        // Held-out rows that the real table holds too are named: the table itself, or a split by another seed.
        #expect(shell.type("ho4 = holdout(ins, 0.25, seed: 4)"))
        for (holdout, count) in [("ins", "of the holdout's 1338 rows"), ("ho4", "of the holdout's 335 rows")] {
            shell.clear()
            #expect(shell.type("v = validate(tr, ho, holdout: \(holdout), validators: privacy_risk, seed: 1)"), Comment(rawValue: shell.errors))
            #expect(shell.errors.contains("[warning] validate: ") && shell.errors.contains(count)
                    && shell.errors.contains("are rows of the real table, tr, too; held-out rows should be rows the model was not fitted on"),
                    Comment(rawValue: shell.errors))
        }
        // Rows sampled from a model of the whole table, validated as if it had learned tr alone.
        #expect(shell.type("whole = sample(fit(independent(), ins, seed: 1))"))
        shell.clear()
        #expect(shell.type("v = validate(tr, whole, holdout: ho, validators: privacy_risk, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(shell.errors.contains("[warning] validate: whole was sampled from a model fitted on other rows than tr's (a table of 1338 rows; tr has 1003); "
                                      + "the validators take tr for the rows the model learned, and the holdout for rows it did not"),
                Comment(rawValue: shell.errors))
        #expect(shell.result("validate(tr, ho, validators: utility)").contains(
            "validator 'utility' needs held-out rows: give holdout:, a table of real rows the model was not fitted on, as holdout(tr, 0.2, seed: 1) makes (fit on training(tr, 0.2, seed: 1))"))
        #expect(shell.result("holdout(ins, 0.95, seed: 1)").contains("share takes the share of rows held out, in (0, 0.9], got 0.95"))
        #expect(shell.result("training(ins, 0.2)").contains("training() needs 'seed'"))
        #expect(shell.result("validate(tr, ho, validators: [])").contains("validators: needs at least one validator (leave it out for every one that applies)"))
        #expect(shell.result("summary(tr, columns: [])").contains("columns: needs at least one column (leave it out for every one)"))
        #expect(shell.result("head(tr, columns: [])").contains("columns: needs at least one column (leave it out for every one)"))
        // validate()'s holdout: is the held-out table, not experiment()'s share.
        #expect(shell.result("validate(tr, ho, holdout: 0.2)").contains(
            "holdout: takes a table of real rows held out of training, as holdout(tr, 0.2, seed: 1) makes (fit the model on training(tr, 0.2, seed: 1))"))
        #expect(shell.result("experiment(tables: ins, generators: independent(), validators: [])").contains("validators: needs at least one validator"))
        // A result table that shows rows is not a table to fit on, and the error says what makes one.
        #expect(shell.result("fit(independent(), head(ins, rows: 100))").contains(
            "expected a table, got a result table (head(), schema() and summary() show a table; load(), sample(), select(), training() and holdout() make one)"))
        #expect(shell.type("one = sample(classification(n_features: 4), rows: 1, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(shell.result("holdout(one, 0.5, seed: 1)").contains("one has 1 row: too few to hold out 50 % and train on the rest"))
    }

    @Test func fitsSamplesAndValidates() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"ins = load("\#(insurance)")"#))
        #expect(shell.type("m = fit(independent(bins: 16), ins, seed: 3)"))
        #expect(shell.result("m") == "independent(bins: 16) fitted on ins (seed 3)\n")
        #expect(shell.type(#"s = sample(m, rows: 50, to: "\#(folder)/s.csv")"#), Comment(rawValue: shell.errors))
        #expect(try String(contentsOfFile: folder + "/s.csv", encoding: .utf8).split(separator: "\n").count == 51)
        #expect(shell.result(#"sample(m, rows: 5, to: "/no/folder/s.csv")"#).contains("the folder /no/folder does not exist"))
        #expect(shell.result("sample(m, ins, rows: 5)").contains(
            "the argument 'rows' is given twice: argument 2 gave it by position, as in sample(model, rows: …, to: …, seed: …, where: …, keep: …)"))
        let unwritten = shell.result(#"save(s, "/no/folder/s.csv")"#)
        #expect(unwritten.contains("error: cannot write /no/folder/s.csv: the folder /no/folder does not exist"))
        #expect(unwritten.components(separatedBy: "cannot write").count == 2, "the file is named once")
        let validation = shell.result("validate(ins, s, validators: [column_shapes], seed: 1)")
        #expect(validation.contains("column_shapes"))
        #expect(!validation.contains("[warning]"))
        // Sampled rows given as the real table beside loaded ones: most likely swapped arguments.
        let swapped = shell.result("validate(s, ins, validators: [column_shapes], seed: 1)")
        #expect(swapped.contains("[warning] validate: the real table, s, holds rows sampled from independent, and the synthetic one, ins, "
                                 + "does not; validate takes the real table first: validate(ins, s)"), Comment(rawValue: swapped))
        #expect(swapped.contains("column_shapes"), "the warning does not stop the validation")
        // Another table is compared column by column with the real one: in any order of its
        // columns, but with every column, no other, and each of the same kind.
        let reordered = Support.temporaryFolder() + "/reordered.csv"
        try "charges,age,sex,bmi,children,smoker,region\n1000.5,19,female,27.9,0,yes,southwest\n2000.5,33,male,22.7,0,no,northwest\n"
            .write(toFile: reordered, atomically: true, encoding: .utf8)
        #expect(shell.type(#"x = load("\#(reordered)")"#))
        #expect(shell.result("validate(ins, x, validators: [column_shapes], seed: 1)").contains("| ins   | x         |     1 |"))
        #expect(shell.type(#"c = load("\#(reordered)", kinds: {children: "categorical"})"#))
        #expect(shell.result("validate(ins, c, validators: [column_shapes])").contains(
            #"column 'children' is categorical in c and integer in ins; load one with kinds: {children: "integer"}"#))
        #expect(shell.result(#"validate(ins, x, validators: [column_shapes], holdout: sample(classification(n_features: 4), rows: 9, seed: 1))"#).contains(
            "classification and ins have different columns: classification lacks age, sex, bmi, children, smoker, region, charges; classification has informative_1, informative_2, redundant_1, redundant_2, label, which ins does not"))
        #expect(shell.result("fit([independent(), independent(bins: 3)], ins)").contains("got a list"))
        #expect(shell.type(#"rich = sample(fit(gaussian_copula, ins, seed: 2), rows: 40, where: {smoker: "yes"})"#), Comment(rawValue: shell.errors))
        // Every row is a smoker: one level held, though the column's categories are two.
        #expect(shell.result(#"summary(rich, columns: ["smoker"])"#).contains("|      1 | yes "))
        #expect(shell.result(#"sample(m, rows: 4, where: {smoker: "yes"})"#).contains("'independent' does not sample conditionally (these do: bayesian_network, ctgan, gaussian_copula, tvae)"))
        #expect(shell.result(#"sample(fit(gaussian_copula, ins, seed: 2), rows: 4, where: {smoke: "yes"})"#).contains("did you mean `smoker`?"))
        #expect(shell.type("gc = fit(gaussian_copula, ins, seed: 2)"), Comment(rawValue: shell.errors))
        #expect(shell.result(#"sample(gc, rows: 4, where: {smoker: 1.5})"#).contains(
            #"where: a condition is a category of a categorical or boolean column, written as a string or true/false, as in {income: ">50K"}, or a value of an integer column ({children: 2}); got a number for smoker"#))
        // An integer is a condition as its text: no such category here.
        #expect(shell.result(#"sample(gc, rows: 4, where: {smoker: 1})"#).contains("column 'smoker' has no category '1' (categories: no, yes)"))
        // After the first condition, the rows drawn that hold an integer column's value are kept.
        #expect(shell.type(#"three = sample(gc, rows: 20, where: {smoker: "yes", children: 3})"#), Comment(rawValue: shell.errors))
        #expect(shell.result(#"summary(three, columns: ["children", "smoker"])"#).contains("| children | integer     |       0 | 3.0000 | 0.0000 | 3.0000 | 3.0000 |"))
        #expect(shell.result(#"sample(gc, rows: 4, where: {age: "30"})"#).contains("column 'age' is not categorical or boolean: only a category can be a condition"))
        #expect(shell.type(".drop gc"), Comment(rawValue: shell.errors))
        // A simulator samples without a table; its seed is drawn and its table has a target.
        #expect(shell.type("sim = sample(classification(n_features: 4), rows: 300)"), Comment(rawValue: shell.errors))
        #expect(shell.result("sim").contains("sim: 300 rows × 5 columns, target label"))
        #expect(shell.result("sample(independent(), rows: 3)").contains("learns from a table: fit it first"))
        #expect(shell.result("sample(classification())").contains("needs rows:"))
        #expect(shell.result(#"sample(classification(), rows: 5, where: {label: "class_0"})"#).contains("where: applies to a fitted model"))
        // A model draws with the seed it was fitted with unless given another.
        let drawn = shell.result("head(sample(m, rows: 8), rows: 8)")
        #expect(drawn.contains("| age"))
        #expect(drawn == shell.result("head(sample(m, rows: 8), rows: 8)"))
        #expect(drawn == shell.result("head(sample(m, rows: 8, seed: 3), rows: 8)"))
        #expect(drawn != shell.result("head(sample(m, rows: 8, seed: 4), rows: 8)"))
        #expect(shell.result("sample(m, rows: 5, seed: -1)").contains("a seed is a non-negative integer, got -1"))
        // A decimal where an integer is needed is shown, with the integer to write.
        #expect(shell.result("sample(m, rows: 1e3)").contains("expected a row count, got the decimal number 1000.0 (an integer is written without a point or an exponent: 1000)"))
        #expect(shell.result("sample(m, rows: 2.5)").contains("expected a row count, got the decimal number 2.5"))
        #expect(shell.result("experiment(tables: ins, generators: classification)").contains("simulates data instead of learning"))
    }

    /// A row count whose table could not fit in memory is refused before any plugin tries to
    /// allocate it (which would abort the plugin's process), at the prompt and on the command line.
    @Test func rowsBeyondTheMachinesMemoryAreRefused() throws {
        #expect(throws: SynthLabError.invalidRequest("cannot make 200000000 rows: they would take about 25.6 GB for 8 columns, more than "
                                                     + "this machine's 16.0 GB of memory; sample fewer rows, or in parts")) {
            try GeneratorSession.checkMemory(rows: 200_000_000, columns: 8, memory: 16_000_000_000)
        }
        #expect(throws: SynthLabError.invalidRequest("cannot make 100000000000 rows: a single column of them would take about 1.6 TB, more "
                                                     + "than this machine's 16.0 GB of memory; sample fewer rows, or in parts")) {
            try GeneratorSession.checkMemory(rows: 100_000_000_000, columns: nil, memory: 16_000_000_000)
        }
        try GeneratorSession.checkMemory(rows: 100_000_000, columns: 8, memory: 16_000_000_000)
        let shell = try CapturedSession()
        #expect(shell.type(#"ins = load("\#(insurance)")"#))
        #expect(shell.type("m = fit(independent(), ins, seed: 1)"), Comment(rawValue: shell.errors))
        for statement in ["sample(m, rows: 99999999999999)", "sample(classification(), rows: 99999999999999)",
                          "experiment(ins, independent, rows: 99999999999999)"] {
            let refused = shell.result(statement)
            #expect(refused.contains("error: cannot make 99999999999999 rows: ") && refused.contains("sample fewer rows, or in parts")
                    && !refused.contains("crashed"), "\(statement): \(refused)")
        }
        #expect(shell.result("head(sample(m, rows: 3), rows: 3)").contains("| age"), "the model still samples")
        let out = Support.temporaryFolder("synthlab-rows") + "/rows.csv"
        let synth = try Support.synthlab(["synth", "--generator", "independent", "--data", insurance, "--rows", "99999999999999",
                                          "--seed", "1", "--out", out])
        #expect(synth.status == 1 && synth.stderr.contains("synthlab: error: cannot make 99999999999999 rows: "), "\(synth.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A folder where a file is to be written or read is named as such, by every writer.
    @Test func aFolderInPlaceOfAFileIsNamed() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        let taken = folder + "/taken.csv"
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: true)
        #expect(shell.type(#"ins = load("\#(insurance)")"#))
        #expect(shell.type("m = fit(independent(), ins, seed: 1)"))
        #expect(shell.type("s = sample(m, rows: 20)"))
        #expect(shell.type("saving = fit(tvae(epochs: 1), ins, seed: 1)"))
        let refusal = "cannot write \(taken): it is a folder"
        for statement in [#"export(s, "\#(taken)")"#, #"save(s, "\#(taken)")"#, #"save(saving, "\#(taken)")"#,
                          #"sample(m, rows: 5, to: "\#(taken)")"#, #"figure("distribution", ins, synthetic: s, column: "age", to: "\#(taken)")"#,
                          ".record \(taken)", ".output \(taken)", ".once \(taken)"] {
            #expect(shell.result(statement).contains(refusal), "\(statement)")
        }
        #expect(shell.result(#"load_model("\#(taken)")"#).contains("cannot read model file \(taken): it is a folder"))
        #expect(shell.result(#"load_model("\#(folder)/none.model")"#).contains("no model file \(folder)/none.model"))
    }

    /// A table exported as JSON keeps its numbers and booleans as JSON numbers and booleans, and
    /// a missing value as null.
    @Test func aTableInJSONKeepsItsKinds() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        try "n,x,flag,word,day\n1,2.5,true,a,2020-01-02\n,-0.125,false,\"b, c\",\n".write(toFile: folder + "/kinds.csv", atomically: true, encoding: .utf8)
        #expect(shell.type(#"t = load("\#(folder)/kinds.csv")"#))
        #expect(shell.type(#"export(t, "\#(folder)/kinds.json")"#), Comment(rawValue: shell.errors))
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/kinds.json"))) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows[0]["n"] as? Int == 1 && rows[0]["x"] as? Double == 2.5 && rows[0]["flag"] as? Bool == true)
        // A column of dates gives dates, as the CSV file does.
        #expect(rows[0]["word"] as? String == "a" && rows[0]["day"] as? String == "2020-01-02")
        #expect(rows[1]["n"] is NSNull && rows[1]["day"] is NSNull && rows[1]["x"] as? Double == -0.125)
        #expect(rows[1]["flag"] as? Bool == false && rows[1]["word"] as? String == "b, c")
        // Shown at the prompt, the values read as they did.
        #expect(shell.result("head(t)").contains("| 1 | 2.5    | true  | a    | 2020-01-02 |"))
    }

    @Test func outputGoesToFilesOnRequest() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"ins = load("\#(insurance)")"#))
        #expect(shell.type(".once \(folder)/schema.md"))
        #expect(shell.type(".mode markdown"))
        #expect(shell.type("schema(ins)"))
        #expect(shell.type("schema(ins)"))
        let once = try String(contentsOfFile: folder + "/schema.md", encoding: .utf8)
        #expect(once.hasPrefix("| column   | kind        | missing | role |"))
        #expect(shell.output.components(separatedBy: "| column ").count == 2, "only the line after .once went to the file")
        #expect(shell.type(".output \(folder)/all.csv"))
        #expect(shell.type(".mode csv"))
        #expect(shell.type("schema(ins)"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/all.csv"), "written when output goes back")
        #expect(shell.type(".output"))
        #expect(try String(contentsOfFile: folder + "/all.csv", encoding: .utf8).hasPrefix("column,kind,missing,role\nage,integer,0,\n"))
        #expect(shell.result(".mode latx").contains("did you mean `latex`?"))
        #expect(shell.result(".mode") == "csv\n")
        #expect(shell.type(".timer on"))
        #expect(shell.result("summary(ins)").contains("Run Time: real "))
        #expect(shell.errors.contains(" s, peak memory ") && shell.errors.contains(" MiB"))
        // A fit runs in the model's worker process: the timer gives that worker's peak too, and
        // not again after a statement that leaves the worker as it was.
        let fitted = shell.result("tm = fit(independent(), ins, seed: 1)")
        #expect(fitted.range(of: #"Run Time: real \d+\.\d{3} s, peak memory \d+\.\d MiB, tm's worker \d+\.\d MiB\n"#,
                             options: .regularExpression) != nil, Comment(rawValue: fitted))
        #expect(!shell.result("schema(ins)").contains("tm's worker"))
        #expect(shell.type(".timer off"))
        #expect(!shell.result("summary(ins)").contains("Run Time"))
    }

    @Test func helpComesFromTheDeclarations() throws {
        let shell = try CapturedSession()
        let help = shell.result(".help")
        for command in ShellCommands.all { #expect(help.contains(command.name)) }
        for builtin in Builtins.all { #expect(help.contains(builtin.usage)) }
        #expect(help.contains("generator: bayesian_network, classification, gaussian_copula, independent"))
        #expect(shell.result(".help experiment").contains("seeds (optional)"))
        #expect(shell.result(".help .record").contains(".record FILE|off"))
        #expect(shell.result(".help laplace").contains("epsilon"))
        #expect(shell.result(".help experimnt").contains("did you mean `experiment`?"))
    }
}
