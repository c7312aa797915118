import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthLab
@testable import SynthShell

/// Input mangled at random (characters dropped, added or replaced, pieces repeated), from a seeded
/// stream so that a failure replays: every statement either runs or is refused with an error
/// that says where, the session keeps its bindings, and every CSV file either reads or is
/// refused with a CSVError. A crash here would end the test process.
@Suite("mangled input is refused, never fatal")
struct MangledInputTests {
    /// Statements that are cheap to run, and their mangled forms too (no `run`, no writes outside
    /// the test's folder).
    static let statements = [
        #"t = load("insurance.csv", target: "charges", kinds: {children: "categorical"}, missing: ["?", ""])"#,
        "head(ins, rows: 3)",
        #"summary(ins, columns: ["age", "region"])"#,
        "schema(ins)",
        "g = independent(bins: 8, keep_missing: false) with laplace(epsilon: [0.5, 2])",
        #"n = named(gaussian_copula() with gaussian(epsilon: 1), "private copula")"#,
        "e = experiment(tables: [ins], generators: [independent(), bayesian_network(degree: 1)], seeds: range(1, 3), rows: 50, holdout: 0.25)",
        "m = fit(independent(bins: 4), ins, seed: 3)",
        #"s = sample(m, rows: 20, seed: 2); summary(s)"#,
        #"sample(fit(bayesian_network(degree: 1), ins, seed: 1), rows: 10, where: {smoker: "yes"})"#,
        "sim = sample(classification(n_features: 4, n_informative: 2), rows: 30, seed: 1)",
        #"v = validate(ins, s, validators: [column_shapes, missing_rates], seed: 1)"#,
        #"compare(v, "column_shapes", against: "s")"#,
        "tr = training(ins, 0.2, seed: 7); ho = holdout(ins, 0.2, seed: 7)",
        #"fit(tvae(epochs: 1, batch_size: 100, bounds: "age=18:64", categories: "sex=female|male") with dp_sgd(epsilon: 1), ins, seed: 1)"#,
        ".mode markdown; head(ins, rows: 2); .mode table",
        ".seed 11; .names",
        ".help sample",
        "x = [1, 2.5, -3e2, \"a\\tb\", true, {k: [false]}]; x",
        "details(v)",
        #"select(v, metrics: ["column_shapes", "missing_rate_difference"], generators: "s"); select(ins, except: ["region", "sex"])"#,
        #"sample(fit(gaussian_copula(), ins, seed: 1), rows: 10, where: {smoker: "yes", sex: "female"})"#,
        #"select(ins, keep: "age >= 18; 2 * bmi - 1 > 20; sex -> smoker", except: ["region"])"#,
        #"sample(m, rows: 10, keep: "charges >= 1200; age + 1 <= 100")"#,
        #"validate(ins, s, validators: constraints(rules: "age >= 18; `bmi` < 60; sex, smoker -> region"), seed: 1)"#,
        #"k = fit(gaussian_copula(), ins, seed: 2, keep: "charges >= 1100 + 10 * age; age + 1 <= 100; sex -> smoker; bmi > 15", learn: true); sample(k, rows: 10)"#,
        #"find_rules(ins, columns: ["age", "bmi", "children", "sex", "smoker"])"#,
    ]

    static func mangle(_ text: String, random: inout Philox) -> String {
        let alphabet = Array("()[]{}\":,.=-;#\\ \nabeinsxyz019_")
        var characters = Array(text)
        for _ in 0..<(1 + random.nextInt(below: 3)) {
            let at = random.nextInt(below: characters.count + 1)
            switch random.nextInt(below: 4) {
            case 0 where at < characters.count:
                characters.remove(at: at)
            case 1:
                characters.insert(alphabet[random.nextInt(below: alphabet.count)], at: at)
            case 2 where at < characters.count:
                characters[at] = alphabet[random.nextInt(below: alphabet.count)]
            default:
                // A piece of the text again, somewhere else.
                let start = random.nextInt(below: characters.count), length = 1 + random.nextInt(below: 12)
                characters.insert(contentsOf: characters[start..<min(characters.count, start + length)], at: at)
            }
        }
        return String(characters)
    }

    /// Values put in place of a statement's own: numbers at and past every bound, strings that
    /// are no path or no column, names of other things.
    static let numbers = ["0", "-1", "1", "2", "0.5", "-0.5", "7", "1e308", "1e-300", "99999999999999", "100001", "0.0"]
    static let strings = [#""""#, #""x""#, #""age""#, #""region""#, #""charges""#, #""insurance.csv""#, #""/""#, #"".""#,
                          #""age=1:0""#, #""sex=""#, #""sex=female|female""#, #""ü\n""#, #""column_shapes""#, #""inprocess""#]
    static let names = ["ins", "s", "m", "v", "e", "tr", "ho", "g", "n", "sim", "x", "true", "false", "independent", "gaussian_copula",
                        "bayesian_network", "classification", "laplace", "gaussian", "dp_sgd", "quality", "utility", "column_shapes",
                        "missing_rates", "age", "rows", "seed", "bins", "epsilon", "with", "range", "head", "summary", "fit", "sample",
                        "validate", "details", "costs", "compare", "named", "training", "holdout", "experiment", "schema", "load"]

    /// `text` with one to three of its numbers, strings and names replaced by others.
    static func substitute(_ text: String, random: inout Philox) -> String {
        let pattern = #/"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*/#
        var tokens: [(range: Range<String.Index>, pool: [String])] = []
        for match in text.matches(of: pattern) {
            let token = text[match.range]
            let pool = token.hasPrefix("\"") ? strings : token.first!.isNumber || token.first == "-" ? numbers : names
            tokens.append((match.range, pool))
        }
        guard !tokens.isEmpty else { return text }
        var chosen: [Int: String] = [:]
        for _ in 0..<(1 + random.nextInt(below: 3)) {
            let index = random.nextInt(below: tokens.count)
            chosen[index] = tokens[index].pool[random.nextInt(below: tokens[index].pool.count)]
        }
        var out = text
        for index in chosen.keys.sorted(by: >) { out.replaceSubrange(tokens[index].range, with: chosen[index]!) }
        return out
    }

    @Test func mangledStatementsRunOrAreRefusedWithWhere() throws {
        let folder = Support.temporaryFolder("synthlab-mangled")
        try FileManager.default.copyItem(atPath: Support.data("insurance.csv"), toPath: folder + "/insurance.csv")
        let shell = try CapturedSession()
        shell.session.defaultExecutor = "inprocess"
        #expect(shell.type(#"ins = load("insurance.csv")"#, folder: folder), Comment(rawValue: shell.errors))
        for statement in Self.statements {
            #expect(shell.type(statement, folder: folder), "\(statement): \(shell.errors)")
        }
        var random = Philox(seed: 2026, stream: 1)
        var refused = 0
        for round in 0..<2000 {
            let statement = Self.statements[round % Self.statements.count]
            let text = round % 2 == 0 ? Self.mangle(statement, random: &random) : Self.substitute(statement, random: &random)
            shell.clear()
            let failed = !shell.type(text, folder: folder)
            if failed {
                refused += 1
                // An error names its place: "error: …" and the line with a caret under it.
                #expect(shell.errors.contains("error: ") && shell.errors.contains("^"), "\(text): \(shell.errors)")
            }
            // No value comes out as NaN or infinity, and nothing dies.
            let nonFinite = shell.output.range(of: #"(?<![A-Za-z_])(-?inf|nan|NaN|Infinity)(?![A-Za-z_])"#, options: .regularExpression)
            #expect(!shell.errors.contains("Fatal") && nonFinite == nil, "\(text): \(shell.output)\(shell.errors)")
            // A statement that fails binds nothing (a line of several may have run those before it).
            let intact = shell.result("ins").hasPrefix("ins: 1338 rows × 7 columns")
            if failed, !text.contains(";") { #expect(intact, "after \(text)") }
            if !intact { #expect(shell.type(#"ins = load("insurance.csv")"#, folder: folder)) }
        }
        // Most mangled statements are not valid any more; some still are.
        #expect(refused > 1000 && refused < 2000, "\(refused) of 2000 refused")
    }

    @Test func mangledCSVFilesReadOrAreRefused() throws {
        let original = try String(contentsOfFile: Support.data("insurance.csv"), encoding: .utf8).split(separator: "\n").prefix(40)
            .joined(separator: "\n") + "\n"
        let path = Support.temporaryFolder("synthlab-mangled-csv") + "/mangled.csv"
        var random = Philox(seed: 2027, stream: 1)
        var refused = 0
        for _ in 0..<2000 {
            var bytes = Array(original.utf8)
            for _ in 0..<(1 + random.nextInt(below: 4)) {
                let at = random.nextInt(below: bytes.count)
                let pick: [UInt8] = [0x22, 0x2C, 0x0A, 0x0D, 0x20, 0x3F, 0xFF, 0xC3, 0x00, 0x09, 0x3B, 0x65, 0x31]
                switch random.nextInt(below: 3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(pick[random.nextInt(below: pick.count)], at: at)
                default: bytes[at] = pick[random.nextInt(below: pick.count)]
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let table = try CSVReader.read(path: path)
                #expect(table.rowCount <= 41 && table.columns.count >= 1)
            } catch {
                // CSVReader.read throws CSVError and nothing else (typed throws).
                refused += 1
            }
        }
        #expect(refused > 0 && refused < 2000, "\(refused) of 2000 refused")
    }
}
