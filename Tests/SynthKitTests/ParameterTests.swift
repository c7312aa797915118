import Testing
@testable import SynthKit

struct ParameterTests {
    let schema: [ParameterSpec] = [
        .float("epsilon", default: nil, min: 0, flags: [.minExclusive, .privacyRelevant], help: "budget"),
        .int("bins", default: 32, min: 2, max: 100, help: "bins"),
        .choice("model", ["a", "b"], default: "a", help: "model"),
        .bool("flag", default: false, help: "flag"),
    ]

    @Test func defaultsAndOrder() throws {
        let values = try Parameters(resolving: ["epsilon": .float(1)], schema: schema, plugin: "p")
        #expect(values.values.map(\.id) == ["epsilon", "bins", "model", "flag"])
        #expect(values.int("bins") == 32)
        #expect(values.float("epsilon") == 1)
    }

    @Test func errorsNameTheProblem() {
        #expect(throws: ParameterError.missingRequired(id: "epsilon", plugin: "p")) {
            try Parameters(resolving: [:], schema: schema, plugin: "p")
        }
        #expect(throws: ParameterError.unknown(id: "bogus", plugin: "p", known: ["epsilon", "bins", "model", "flag"])) {
            try Parameters(resolving: ["epsilon": .float(1), "bogus": .int(1)], schema: schema, plugin: "p")
        }
        #expect(throws: ParameterError.outOfBounds(id: "epsilon", value: "0.0", bounds: "(0.0, ∞]")) {
            try schema[0].parse("0")
        }
        #expect(throws: ParameterError.outOfBounds(id: "bins", value: "101", bounds: "[2, 100]")) {
            try schema[1].parse("101")
        }
        #expect(throws: ParameterError.wrongType(id: "bins", expected: .int, got: "2.5")) {
            try schema[1].parse("2.5")
        }
        #expect(throws: ParameterError.notAChoice(id: "model", value: "c", choices: ["a", "b"])) {
            try schema[2].parse("c")
        }
        #expect(ParameterError.outOfBounds(id: "bins", value: "101", bounds: "[2, 100]").description
                == "parameter 'bins' = 101 is outside [2, 100]")
    }

    @Test func parsesEveryType() throws {
        #expect(try schema[0].parse("1e-1") == .float(0.1))
        #expect(try schema[0].parse("3") == .float(3))
        #expect(try schema[1].parse(" 7 ") == .int(7))
        #expect(try schema[3].parse("yes") == .bool(true))
        #expect(try schema[2].parse("b") == .string("b"))
    }

    @Test func descriptorProblems() {
        let bad = PluginDescriptor(id: "Bad Id", name: "", version: "1.0", kind: .generator, summary: "s",
                                   parameters: [.int("x", default: 5, min: 10, help: "h")])
        let problems = bad.problems()
        #expect(problems.contains { $0.contains("is not of the form") })
        #expect(problems.contains { $0.contains("empty name") })
        #expect(problems.contains { $0.contains("MAJOR.MINOR.PATCH") })
        #expect(problems.contains { $0.contains("default of parameter 'x' is invalid") })
        let good = PluginDescriptor(id: "ok_1", name: "OK", version: "1.2.3", kind: .validator, summary: "s")
        #expect(good.problems().isEmpty)
    }
}
