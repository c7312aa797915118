import Foundation
import SynthMath
import Testing
@testable import SynthKit

@Suite("Constraint rules: reading them, and which rows keep them")
struct ConstraintTests {
    @Test func rulesReadAsWritten() throws {
        let rules = try ConstraintRule.parse("dropoff >= pickup; total >= fare + tip + tolls;; 2*age - 10 <= `hours-per-week` ;zone, day -> borough")
        #expect(rules.map(\.text) == ["dropoff >= pickup", "total >= fare + tip + tolls", "2*age - 10 <= `hours-per-week`", "zone, day -> borough"])
        #expect(rules[0].form == .compare(.init(terms: [(1, "dropoff")]), .atLeast, .init(terms: [(1, "pickup")])))
        #expect(rules[1].form == .compare(.init(terms: [(1, "total")]), .atLeast, .init(terms: [(1, "fare"), (1, "tip"), (1, "tolls")])))
        #expect(rules[2].form == .compare(.init(terms: [(2, "age"), (-10, nil)]), .atMost, .init(terms: [(1, "hours-per-week")])))
        #expect(rules[3].form == .dependency(from: ["zone", "day"], to: "borough"))
        #expect(rules[2].columns == ["age", "hours-per-week"] && rules[3].columns == ["zone", "day", "borough"])
        #expect(try ConstraintRule.parse("-a + 1.5e1 * b != 3; x < y; x > y; x == y").map(\.form) == [
            .compare(.init(terms: [(-1, "a"), (15, "b")]), .unequal, .init(terms: [(3, nil)])),
            .compare(.init(terms: [(1, "x")]), .below, .init(terms: [(1, "y")])),
            .compare(.init(terms: [(1, "x")]), .above, .init(terms: [(1, "y")])),
            .compare(.init(terms: [(1, "x")]), .equal, .init(terms: [(1, "y")])),
        ])
        #expect(try ConstraintRule.parse("  ; ").isEmpty)
    }

    @Test(arguments: [
        ("age >= ", "rule 'age >=': expected a number or a column name at column 7"),
        ("age => 3", "rule 'age => 3': expected a comparison (>=, <=, >, <, ==, !=), found '=' at column 5"),
        ("age", "rule 'age': expected a comparison (>=, <=, >, <, ==, !=) or '->' at column 4"),
        ("age >= `x", "rule 'age >= `x': a '`' is not closed at column 8"),
        ("a, b ->", "rule 'a, b ->': expected a column name after '->' at column 8"),
        ("a -> a", "rule 'a -> a': 'a' is on both sides at column 7"),
        ("a b -> c", "rule 'a b -> c': expected ',' or '->' at column 3"),
        ("3 >= 2", "rule '3 >= 2' names no column"),
        ("a >= b c", "rule 'a >= b c': unexpected 'c' at column 8"),
        ("a >= ``", "rule 'a >= ``': an empty name at column 6"),
    ])
    func aMalformedRuleIsRefusedWithItsPlace(_ text: String, _ message: String) {
        #expect(throws: ConstraintError(message)) { try ConstraintRule.parse(text) }
    }

    @Test func eachRowKeepsOrBreaksAnInequalityOrCannotBeJudged() throws {
        let table = try Table(columns: [
            Column(name: "fare", values: .continuous([10.3, 5, 5, 1])),
            Column(name: "tip", values: .continuous([2.1, 1, 1, 1]), missing: [false, false, true, false]),
            Column(name: "total", values: .continuous([12.4, 6, 0, 1])),
            Column(name: "start", values: .datetime([0, 0, 0, 0])),
            Column(name: "end", values: .datetime([59_000_000, 61_000_000, 60_000_000, -1])),
        ])
        // 10.3 + 2.1 is 12.4 up to rounding: kept by >= and ==, broken by >; a missing tip cannot be judged.
        #expect(try ConstraintRule.parse("total >= fare + tip")[0].judge(table) == [true, true, nil, false])
        #expect(try ConstraintRule.parse("total == fare + tip")[0].judge(table) == [true, true, nil, false])
        #expect(try ConstraintRule.parse("total > fare + tip")[0].judge(table) == [false, false, nil, false])
        // Datetimes compare as seconds since 1970.
        #expect(try ConstraintRule.parse("end - start <= 60")[0].judge(table) == [true, false, true, true])
        #expect(try ConstraintRule.parse("end >= start")[0].judge(table) == [true, true, true, false])
        #expect(throws: ConstraintError("rule 'fares >= 0': no column 'fares' (did you mean `fare`?)")) {
            try ConstraintRule.parse("fares >= 0")[0].judge(table)
        }
    }

    @Test func aDependencyFollowsTheRealTablesMapping() throws {
        func table(_ zones: [String], _ boroughs: [String], missing: [Bool] = []) throws -> Table {
            try Table(columns: [
                Column(name: "zone", values: .categorical(codes: zones.map { Int32(["a", "b", "c"].firstIndex(of: $0)!) }, levels: ["a", "b", "c"])),
                Column(name: "borough", values: .categorical(codes: boroughs.map { Int32(["X", "Y"].firstIndex(of: $0)!) }, levels: ["X", "Y"]), missing: missing),
            ])
        }
        let rule = try ConstraintRule.parse("zone -> borough")[0]
        let real = try table(["a", "a", "a", "b", "b"], ["X", "X", "Y", "Y", "X"])
        // Each zone's most frequent borough; b's tie goes to the first in sorted order.
        let mapping = rule.dependencyMapping(real)
        #expect(mapping == ["a": "X", "b": "X"])
        #expect(try rule.judge(real, mapping: mapping) == [true, true, false, false, true])
        // A zone the real table lacks, or a missing borough, cannot be judged.
        let synthetic = try table(["a", "c", "b", "a"], ["Y", "X", "X", "X"], missing: [false, false, false, true])
        #expect(try rule.judge(synthetic, mapping: mapping) == [false, nil, true, nil])
        #expect(throws: ConstraintError("rule 'zone -> borough': no column 'borough'")) {
            try rule.judge(try Table(columns: [real.columns[0]]))
        }
    }

    /// Rules mangled at random, from the characters rules are made of: each either reads as rules,
    /// which then judge a table or refuse it with a ConstraintError, or is refused with one. None
    /// traps.
    @Test func randomTextReadsOrIsRefused() throws {
        let alphabet = Array("ab_`-+*=<>!;,. 0123456789e()")
        let table = try Table(columns: [
            Column(name: "a", values: .continuous([1, 2, .nan]), missing: [false, false, true]),
            Column(name: "b", values: .categorical(codes: [0, 1, 0], levels: ["x", "y"])),
        ])
        var random = Philox(seed: 12, stream: 3)
        var read = 0
        // Valid rules with one to three characters removed, added or replaced.
        let seeds = ["a >= 2 * a - 1", "`a` + 1.5e0 < 3; a != 2", "a -> b", "b, a -> `a`", "-a <= +a"]
        for round in 0..<5000 {
            var characters = Array(seeds[round % seeds.count])
            for _ in 0..<(1 + random.nextInt(below: 3)) {
                let at = random.nextInt(below: characters.count + 1)
                switch random.nextInt(below: 3) {
                case 0 where at < characters.count: characters.remove(at: at)
                case 1: characters.insert(alphabet[random.nextInt(below: alphabet.count)], at: at)
                default: if at < characters.count { characters[at] = alphabet[random.nextInt(below: alphabet.count)] }
                }
            }
            let text = String(characters)
            do {
                for rule in try ConstraintRule.parse(text) {
                    read += 1
                    do {
                        let verdicts = try rule.judge(table)
                        #expect(verdicts.count == 3 && verdicts[2] == nil || rule.columns.allSatisfy { $0 == "b" }, "\(text)")
                    } catch {
                        #expect(!error.description.isEmpty)
                    }
                }
            } catch {
                #expect(error.description.hasPrefix("rule '"), "\(text): \(error)")
            }
        }
        #expect(read > 1000, "\(read) rules read")
    }
}
