import Testing
@testable import SynthShell
import SynthKit

@Suite("Session language: grammar, errors, canonical text")
struct LanguageTests {
    @Test func parsesEveryForm() throws {
        let statements = try Parser.parse("""
            # a comment line
            gan = ctgan(epochs: 300, batch_size: 500)   # trailing comment
            private = independent() with laplace(epsilon: [0.1, 1, 1e1]); x = -2
            load("a.csv", kinds: {age: "integer", "zip code": "categorical"}, missing: ["?", ""])
            exp = experiment(
                tables: [adult],
                seeds: range(1, 3),
            )
            """)
        #expect(statements.count == 5)
        #expect(statements[0].target == "gan")
        guard case .call("ctgan", let arguments) = statements[0].expression.kind else { Issue.record("not a call"); return }
        #expect(arguments.map(\.label) == ["epochs", "batch_size"])
        guard case .with(_, let right) = statements[1].expression.kind, case .call("laplace", let sweep) = right.kind,
              case .list(let values) = sweep[0].value.kind else { Issue.record("not a composition"); return }
        #expect(values.count == 3)
        #expect(values[2].kind == .number(10, isInteger: false))
        #expect(statements[2].target == "x")
        #expect(statements[2].expression.canonical() == "-2")
        #expect(statements[3].expression.canonical() == #"load("a.csv", kinds: {age: "integer", "zip code": "categorical"}, missing: ["?", ""])"#)
        #expect(statements[4].location == SourceLocation(line: 5, column: 1))
    }

    @Test func canonicalTextParsesBackToItself() throws {
        let text = #"r = run(experiment(tables: [a, b], generators: independent(bins: 8) with laplace(epsilon: 0.5), seeds: [1, 2], rows: 100, holdout: 0.25), executor: "inprocess")"#
        let once = try Parser.parse(text)[0].canonical()
        #expect(once == text)
        #expect(try Parser.parse(once)[0].canonical() == once)
        #expect(quote("say \"hi\"\n\\") == #""say \"hi\"\n\\""#)
    }

    @Test(arguments: [
        ("x = )", 1, 5, "expected a value"),
        ("x = load(\"a.csv\"", 1, 17, "expected ',' or ')'"),
        ("gan = ctgan(epochs 300)", 1, 20, "expected ',' or ')'"),
        ("a = \"open", 1, 5, "no closing quote"),
        ("f(a: 1, 2)", 1, 9, "positional argument cannot follow"),
        ("f(a: 1, a: 2)", 1, 9, "given twice"),
        ("x = 3 4", 1, 7, "end of the statement"),
        ("x = 1abc", 1, 5, "runs into"),
        ("y = a.b", 1, 6, "shell command only at the beginning"),
        ("ok = 1\nbad = [1, 2\nz = 3", 3, 1, "expected ',' or ']'"),
        ("e = experiment(seeds: 1..3)", 1, 23, "'1..3': the language has no range operator; write range(1, 3)"),
        ("s = 1...10", 1, 5, "write range(1, 10)"),
        ("s = 1..", 1, 5, "write range(1, TO)"),
        ("n = 2 * 500", 1, 7, "unexpected '*': the language has no arithmetic"),
    ])
    func reportsWhereTheTextIsWrong(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try Parser.parse(text)
        } throws: { error in
            guard let error = error as? ShellError else { return false }
            return error.location == SourceLocation(line: line, column: column) && error.message.contains(message)
        }
    }

    @Test func boundsHowDeepAnExpressionNests() throws {
        // Deep enough for any written session; far deeper would overflow the stack of a recursive parser.
        let nested = "x = " + String(repeating: "[", count: 250) + "1" + String(repeating: "]", count: 250)
        #expect(try Parser.parse(nested).count == 1)
        for text in ["x = " + String(repeating: "[", count: 100_000) + "1" + String(repeating: "]", count: 100_000),
                     "x = " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000),
                     "x = " + String(repeating: "-", count: 100_000) + "1",
                     "x = 1" + String(repeating: " with 1", count: 100_000)] {
            #expect {
                _ = try Parser.parse(text)
            } throws: { error in
                (error as? ShellError)?.message.contains("nests more than 256 levels deep") == true
            }
        }
    }

    @Test func knowsWhenMoreLinesCanFinishAStatement() {
        #expect(Session.needsMoreLines("exp = experiment(tables: adult,"))
        #expect(Session.needsMoreLines("g = [independent(), "))
        #expect(Session.needsMoreLines("g = independent() with"))
        #expect(Session.needsMoreLines("g ="))
        #expect(!Session.needsMoreLines("g = independent()"))
        #expect(!Session.needsMoreLines("g = )"))
        #expect(!Session.needsMoreLines("s = \"open"))
    }

    @Test func suggestsTheNearestName() {
        #expect(Suggest.nearest("tvea", among: ["tvae", "ctgan", "independent"]) == "tvae")
        #expect(Suggest.nearest("indepndent", among: ["tvae", "ctgan", "independent"]) == "independent")
        #expect(Suggest.nearest("zzz", among: ["tvae", "ctgan"]) == nil)
        #expect(Suggest.nearest("save_model", among: ["save", "load_model", "sample"]) == "save")
        #expect(Suggest.nearest("load_table_csv", among: ["load", "table"]) == nil)
        #expect(Suggest.hint("bnis", among: ["bins", "keep_missing"]) == " (did you mean `bins`?)")
    }
}
