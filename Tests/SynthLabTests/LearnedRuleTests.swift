import Foundation
import Testing
@testable import SynthKit
@testable import SynthLab
@testable import SynthShell

@Suite("Rules a generator learns")
struct LearnedRuleTests {
    /// A table that keeps `total >= fare + tip`, `dropoff > pickup` and `age <= 100`.
    static func trips() throws -> Table {
        let pickup: [Int64] = [1_551_398_400, 1_551_400_000, 1_551_500_123, 1_551_600_000].map { $0 * 1_000_000 }
        let minutes: [Int64] = [6, 1, 45, 12]
        return try Table(columns: [
            Column(name: "pickup", values: .datetime(pickup)),
            Column(name: "dropoff", values: .datetime(zip(pickup, minutes).map { $0 + $1 * 60_000_000 })),
            Column(name: "fare", values: .continuous([7.0, 3.5, 52.0, 10.5])),
            Column(name: "tip", values: .continuous([2.15, 0, 10.3, 0]), missing: [false, false, false, true]),
            Column(name: "total", values: .continuous([12.95, 4.3, 65.1, 11.3])),
            Column(name: "age", values: .integer([34, 61, 100, 23])),
            Column(name: "zone", values: .categorical(codes: [0, 1, 0, 1], levels: ["east", "west"])),
        ])
    }

    @Test func thePlanLearnsEachInequalityItCan() throws {
        let table = try Self.trips()
        let rules = try ConstraintRule.parse("""
            total >= fare + tip; fare + tip <= total; pickup < dropoff; 2 * age <= 200; 100 - age >= 0; \
            zone -> fare; fare == total; fare >= 0
            """)
        let learned = LearnedRule.plan(rules, table: table)
        // Rules whose columns no other rule reads come first; the first two read each other's
        // column (total), so the first of them is learned and the second, which reads the total
        // it replaced, is not; fare >= 0 comes after both, which read fare. 2 * age has no
        // coefficient ±1; a dependency of a continuous column and an equality are not learned.
        #expect(learned.map(\.rule) == ["pickup < dropoff", "100 - age >= 0", "total >= fare + tip", "fare >= 0"])
        let plan = learned.compactMap { rule -> RuleGap? in if case .gap(let gap) = rule { gap } else { nil } }
        #expect(plan.map(\.column) == ["dropoff", "age", "total", "fare"])
        #expect(plan.map(\.strict) == [true, false, false, false])
        // Whole seconds apart, whole years: integer gaps; money: cents.
        #expect(plan.map(\.gapKind) == [.integer, .integer, .continuous, .continuous])
        #expect(plan[2].gapResolution == 0.01 && plan[0].gapResolution == 1)
        #expect(plan[1].terms.first { $0.column == "age" }?.coefficient == -1)
        // A gap too large to restore the column exactly is not learned.
        #expect(LearnedRule.plan(try ConstraintRule.parse("total >= 1e300 * age; 1e20 * age >= total"), table: table).isEmpty)
        // In the order given, fare's rule would replace fare before total's rule reads it.
        #expect(LearnedRule.plan(try ConstraintRule.parse("fare >= 0; total >= fare + tip"), table: table).map(\.rule) == ["total >= fare + tip", "fare >= 0"])
        // The generator sees each replaced column with its gap's kind.
        let seen = LearnedRule.generatorColumns(learned, columns: table.columns.map { ($0.name, $0.kind) })
        #expect(seen.map(\.1) == [.datetime, .integer, .continuous, .continuous, .continuous, .integer, .categorical])
    }

    @Test func theGapsAreTheDifferencesAndRestoreTheTable() throws {
        let table = try Self.trips()
        let plan = LearnedRule.plan(try ConstraintRule.parse("dropoff > pickup; total >= fare + tip; age <= 100"), table: table)
        let gaps = try LearnedRule.apply(plan, to: table)
        #expect(gaps.column(named: "dropoff")?.values == .integer([360, 60, 2700, 720]))
        guard case .continuous(let totals) = gaps.column(named: "total")!.values else { Issue.record("total is not continuous"); return }
        #expect(Array(totals[0..<3]) == [3.8, 0.8, 2.8])
        // A missing tip leaves the gap missing.
        #expect(gaps.column(named: "total")!.isMissing(3) && !gaps.column(named: "total")!.isMissing(2))
        #expect(gaps.column(named: "age")?.values == .integer([66, 39, 0, 77]))
        let restored = try LearnedRule.restore(plan, in: gaps)
        // Every present cell comes back as it was; the missing gap's total is missing.
        for name in ["pickup", "dropoff", "fare", "age", "zone"] { #expect(restored.column(named: name) == table.column(named: name), "\(name)") }
        guard case .continuous(let back) = restored.column(named: "total")!.values else { return }
        #expect(Array(back[0..<3]) == [12.95, 4.3, 65.1] && restored.column(named: "total")!.isMissing(3))
    }

    /// A generator can make a gap below 0: the row gets the rule's edge, one step past it for `>`.
    @Test func aGapBelowZeroIsMadeTheRulesEdge() throws {
        let table = try Self.trips()
        let plan = LearnedRule.plan(try ConstraintRule.parse("dropoff > pickup; total >= fare + tip; age <= 100"), table: table)
        var made = try LearnedRule.apply(plan, to: table)
        made = try made.replacing(Column(name: "dropoff", values: .integer([-300, 0, 5, 1])))
        made = try made.replacing(Column(name: "total", values: .continuous([-1.234, 0.004, 2.8, 1])))
        made = try made.replacing(Column(name: "age", values: .integer([-5, 0, 3, 200])))
        let restored = try LearnedRule.restore(plan, in: made)
        guard case .datetime(let pickup) = table.column(named: "pickup")!.values,
              case .datetime(let dropoff) = restored.column(named: "dropoff")!.values,
              case .continuous(let total) = restored.column(named: "total")!.values,
              case .integer(let age) = restored.column(named: "age")!.values else { Issue.record("kinds changed"); return }
        // One second, the column's step, past the pickup for a gap of -300 or 0.
        #expect(zip(dropoff, pickup).map { ($0 - $1) / 1_000_000 } == [1, 1, 5, 1])
        // Fare plus tip for a negative gap; on the cents grid (a gap of 0.004 is 0).
        #expect(Array(total[0..<3]) == [9.15, 3.5, 65.1])
        #expect(age == [100, 100, 97, -100])
        for rule in try ConstraintRule.parse("dropoff > pickup; total >= fare + tip; age <= 100") {
            #expect(try rule.judge(restored).allSatisfy { $0 != false }, "\(rule.text)")
        }
    }

    /// Rules of the same columns as a learned gap bound it: a trip lasts at least a minute and at
    /// most an hour.
    @Test func otherRulesOfTheSameColumnsBoundTheGap() throws {
        let table = try Self.trips()
        let rules = try ConstraintRule.parse("dropoff > pickup; dropoff - pickup <= 3600; 2 * dropoff - 2 * pickup >= 120; pickup <= dropoff + 5")
        let plan = LearnedRule.plan(rules, table: table)
        #expect(plan.count == 1 && plan.first?.rules == rules.map(\.text))
        guard case .gap(let gap) = plan.first else { Issue.record("no gap"); return }
        // pickup <= dropoff + 5 allows a gap of -5, which the others already forbid.
        #expect(gap.lower == 60 && gap.lowerStrict == false && gap.upper == 3600 && gap.upperStrict == false)
        let made = try LearnedRule.apply(plan, to: table).replacing(Column(name: "dropoff", values: .integer([-5, 30, 4000, 100])))
        let restored = try LearnedRule.restore(plan, in: made)
        guard case .datetime(let pickup) = table.column(named: "pickup")!.values,
              case .datetime(let dropoff) = restored.column(named: "dropoff")!.values else { Issue.record("kinds changed"); return }
        #expect(zip(dropoff, pickup).map { ($0 - $1) / 1_000_000 } == [60, 60, 3600, 100])
        for rule in rules { #expect(try rule.judge(restored).allSatisfy { $0 == true }, "\(rule.text)") }
    }

    /// A dependency is learned as the training rows' mapping: the column is left out of what the
    /// generator sees, and put back in its place from its key.
    @Test func aDependencyIsLearnedAsAMapping() throws {
        let table = try Table(columns: [
            Column(name: "zone", values: .categorical(codes: [0, 1, 2, 0, 1, 2, 0], levels: ["Astoria", "Harlem", "SoHo"]), missing: [false, false, false, false, false, false, true]),
            Column(name: "borough", values: .categorical(codes: [0, 1, 1, 0, 1, 1, 1], levels: ["Queens", "Manhattan"])),
            Column(name: "fare", values: .continuous([5, 6, 7, 8, 9, 10, 11])),
            Column(name: "night", values: .boolean([true, false, false, true, true, false, false])),
        ])
        let rules = try ConstraintRule.parse("zone -> borough; borough -> fare; zone, fare -> night; borough >= 0")
        let learned = LearnedRule.plan(rules, table: table)
        // fare is continuous; borough >= 0 reads a categorical column.
        #expect(learned.map(\.rule) == ["zone -> borough", "zone, fare -> night"])
        guard case .mapping(let mapping) = learned[0] else { Issue.record("not a mapping"); return }
        #expect(mapping.keys == ["\u{0}", "Astoria", "Harlem", "SoHo"] && mapping.values == ["Manhattan", "Queens", "Manhattan", "Manhattan"])
        let seen = try LearnedRule.apply(learned, to: table)
        #expect(seen.columnNames == ["zone", "fare"])
        #expect(LearnedRule.generatorColumns(learned, columns: table.columns.map { ($0.name, $0.kind) }).map(\.0) == ["zone", "fare"])
        #expect(try LearnedRule.restore(learned, in: seen) == table)
        // Rows a generator made: each zone gets its borough; a key never seen, the most frequent value.
        let made = try Table(columns: [
            Column(name: "zone", values: .categorical(codes: [2, 0, 1], levels: ["Astoria", "Harlem", "SoHo"])),
            Column(name: "fare", values: .continuous([7, 1, 6])),
        ])
        let restored = try LearnedRule.restore(learned, in: made)
        #expect(restored.columnNames == ["zone", "borough", "fare", "night"])
        #expect((0..<3).map { restored.column(named: "borough")!.text(at: $0) } == ["Manhattan", "Queens", "Manhattan"])
        #expect((0..<3).map { restored.column(named: "night")!.text(at: $0) } == ["false", "false", "false"])
    }

    /// On NYC taxis each pickup zone lies in one borough: learned, no row breaks it, and a
    /// condition on the borough, which the generator no longer makes, is refused with the reason.
    @Test func aModelKeepsEachZoneInItsBorough() throws {
        let shell = try CapturedSession()
        let rules = "pickup_zone -> pickup_borough; dropoff_zone -> dropoff_borough; dropoff >= pickup"
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("c = constraints(rules: \"\(rules)\")"))
        for generator in ["independent()", "gaussian_copula()", "ctgan(epochs: 1, batch_size: 100)"] {
            #expect(shell.type("m = fit(\(generator), taxis, seed: 4, keep: \"\(rules)\")"), Comment(rawValue: shell.errors))
            #expect(shell.type("s = sample(m, rows: 1000)"), Comment(rawValue: shell.errors))
            #expect(shell.type("v = validate(taxis, s, validators: c, seed: 1)"), Comment(rawValue: shell.errors))
            guard case .results(let results) = shell.session.lookup("v"), case .table(let made) = shell.session.lookup("s") else { Issue.record("no results"); return }
            #expect(results.trials.first?.value(of: "constraint_violation_rate") == 0, "\(generator)")
            guard case .table(let real) = shell.session.lookup("taxis") else { return }
            #expect(made.table.columnNames == real.table.columnNames && made.table.kinds == real.table.kinds, "\(generator)")
        }
        // A dependency the model learned may be asked for again; another is refused.
        #expect(shell.type(#"sample(m, rows: 5, keep: "pickup_zone -> pickup_borough")"#), Comment(rawValue: shell.errors))
        #expect(shell.result(#"sample(m, rows: 5, keep: "payment -> color")"#).contains("keep: 'payment -> color' is a dependency"))
        #expect(shell.result(#"sample(m, rows: 5, where: {pickup_borough: "Bronx"})"#)
                .contains("where: pickup_borough is made from pickup_zone by the rule 'pickup_zone -> pickup_borough' the model learned"))
        #expect(shell.result("fit(independent(), taxis, keep: \"\(rules)\", learn: false)")
                .contains("keep: 'pickup_zone -> pickup_borough' is a dependency, which a model keeps only by learning it, and learn is false"))
        #expect(shell.result("fit(independent(), taxis, keep: \"pickup_zone -> fare\")")
                .contains("a dependency is learned when its last column is categorical, boolean or integer"))
        #expect(shell.result("experiment(tables: taxis, generators: independent() with laplace(epsilon: 1), keep: \"pickup_zone -> pickup_borough\")")
                .contains("is composed with privacy"))
        // An integer column made from a category: adult's education-num from its education.
        #expect(shell.type(#"adult = load("\#(Support.data("adult.csv"))")"#))
        #expect(shell.type("a = sample(fit(independent(), adult, seed: 1, keep: \"education -> `education-num`\"), rows: 2000)"), Comment(rawValue: shell.errors))
        #expect(shell.type("va = validate(adult, a, validators: constraints(rules: \"education -> `education-num`\"), seed: 1)"), Comment(rawValue: shell.errors))
        guard case .results(let adultResults) = shell.session.lookup("va"), case .table(let made) = shell.session.lookup("a") else { Issue.record("no results"); return }
        #expect(adultResults.trials.first?.value(of: "constraint_violation_rate") == 0)
        #expect(made.table.column(named: "education-num")?.kind == .integer)
    }

    /// find_rules offers the rules a table keeps that say something about its rows: on NYC taxis
    /// the README's rules (found as sums), on adult education's number; none of the ranks, row
    /// numbers and amounts that lie above other columns by their ranges alone.
    @Test func findsTheRulesATableKeeps() throws {
        let shell = try CapturedSession()
        let found = [
            "nyc_taxis.csv": "dropoff >= pickup; fare >= tip + tolls; total >= fare + tip + tolls; pickup_zone -> pickup_borough; dropoff_zone -> dropoff_borough",
            "adult.csv": "education -> `education-num`",
            "covid_testing.csv": "fake_first_name -> gender",
            "insurance.csv": "", "german_credit.csv": "", "beijing_pm25.csv": "",
        ]
        for (file, rules) in found.sorted(by: { $0.key < $1.key }) {
            #expect(shell.type(#"t = load("\#(Support.data(file))")"#), Comment(rawValue: shell.errors))
            #expect(shell.result("find_rules(t)") == "\"\(rules)\"\n", "\(file)")
        }
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.result(#"find_rules(taxis, columns: ["fare", "tip", "total"])"#) == "\"fare >= tip; total >= fare + tip\"\n")
        #expect(shell.result(#"find_rules(taxis, columns: ["fares"])"#).contains("taxis has no column 'fares' (did you mean `fare`?)"))
        #expect(shell.result(#"find_rules(taxis, columns: ["fare", "fare"])"#).contains("columns: duplicate column name 'fare'"))
        // Every rule found is learned, and no row breaks one.
        #expect(shell.type("m = fit(independent(), taxis, seed: 1, keep: find_rules(taxis))"), Comment(rawValue: shell.errors))
        #expect(shell.result("m").contains("(learned: \(found["nyc_taxis.csv"]!))"))
        #expect(shell.type("v = validate(taxis, sample(m, rows: 2000), validators: constraints(rules: find_rules(taxis)), seed: 1)"), Comment(rawValue: shell.errors))
        guard case .results(let results) = shell.session.lookup("v") else { Issue.record("no results"); return }
        #expect(results.trials.first?.value(of: "constraint_violation_rate") == 0)
    }

    /// The shares docs/repl.md quotes: independent draws of two columns would break dropoff >=
    /// pickup half the time and total >= fare 0.29 of it, and fnlwgt >= age never.
    @Test func independentDrawsBreakTheRulesAsTheDocsSay() throws {
        let taxis = try CSVReader.read(path: Support.data("nyc_taxis.csv"))
        let adult = try CSVReader.read(path: Support.data("adult.csv"))
        func share(_ table: Table, _ a: String, _ b: String) -> Double {
            ConstraintRule.independentShareBelow(table.column(named: a)!.presentNumbers()!, table.column(named: b)!.presentNumbers()!)
        }
        #expect(abs(share(taxis, "dropoff", "pickup") - 0.50) < 0.005)
        #expect(abs(share(taxis, "total", "fare") - 0.29) < 0.005)
        #expect(share(adult, "fnlwgt", "age") == 0)
    }

    /// A table with a few wrong rows keeps no rule strictly; breaks: finds the rules all but a
    /// share of its rows keep.
    @Test func discoveryAllowsAFewWrongRows() throws {
        let taxis = try CSVReader.read(path: Support.data("nyc_taxis.csv"))
        guard case .datetime(var pickup) = taxis.column(named: "pickup")!.values, case .datetime(var dropoff) = taxis.column(named: "dropoff")!.values,
              case .categorical(var boroughs, let levels) = taxis.column(named: "pickup_borough")!.values else { Issue.record("kinds"); return }
        // Five trips that end before they start; three pickups put in another borough.
        for row in 0..<5 { (pickup[row], dropoff[row]) = (dropoff[row], pickup[row]) }
        for row in 10..<13 { boroughs[row] = (boroughs[row] + 1) % Int32(levels.count) }
        let borough = taxis.column(named: "pickup_borough")!
        let dirty = try taxis.replacing(Column(name: "pickup", values: .datetime(pickup)))
            .replacing(Column(name: "dropoff", values: .datetime(dropoff)))
            .replacing(Column(name: "pickup_borough", values: .categorical(codes: boroughs, levels: levels), missing: (0..<borough.count).map(borough.isMissing)))
        let strict = ConstraintRule.discover(in: dirty).map(\.text)
        #expect(!strict.contains("dropoff >= pickup") && !strict.contains("pickup_zone -> pickup_borough") && strict.contains("dropoff_zone -> dropoff_borough"))
        let lenient = ConstraintRule.discover(in: dirty, breaks: 0.001).map(\.text)
        #expect(lenient.contains("dropoff >= pickup") && lenient.contains("pickup_zone -> pickup_borough"), "\(lenient)")
        // Five broken trips are more than 0.05 % of the 6,433 rows (3.2).
        #expect(!ConstraintRule.discover(in: dirty, breaks: 0.0005).map(\.text).contains("dropoff >= pickup"))
    }

    @Test func discoveryLeavesOutWhatRangesAloneImply() throws {
        let rows = 40
        let table = try Table(columns: [
            Column(name: "id", values: .integer((0..<rows).map { Int64($0 + 100) })),
            Column(name: "start", values: .continuous((0..<rows).map { Double($0 % 7) })),
            Column(name: "end", values: .continuous((0..<rows).map { Double($0 % 7) + Double($0 % 3) })),
            Column(name: "flag", values: .integer((0..<rows).map { Int64(($0 / 4) % 2) })),
            Column(name: "city", values: .categorical(codes: (0..<rows).map { Int32($0 % 4) }, levels: ["Lyon", "Nice", "Paris", "Lille"])),
            Column(name: "region", values: .categorical(codes: (0..<rows).map { [0, 1, 2, 2][$0 % 4] }, levels: ["Rhône", "Sud", "Nord"])),
            Column(name: "code", values: .categorical(codes: (0..<rows).map { Int32($0 % 4) }, levels: ["69", "06", "75", "59"])),
            Column(name: "name", values: .categorical(codes: (0..<rows).map { Int32($0) }, levels: (0..<rows).map { "n\($0)" })),
        ])
        let found = ConstraintRule.discover(in: table).map(\.text)
        // end >= start, not id >= anything (ranges); city and code determine each other: the
        // first is kept; a name per row determines everything, and is left out.
        #expect(found == ["end >= start", "city -> region", "city -> code", "code -> region"], "\(found)")
        #expect(ConstraintRule.independentShareBelow([1, 2, 3, 4], [0, 5]) == 0.5)
    }

    /// An experiment over several tables keeps each table's rules, given as a record.
    @Test func anExperimentKeepsEachTablesRules() throws {
        let shell = try CapturedSession()
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type(#"adult = load("\#(Support.data("adult.csv"))")"#))
        #expect(shell.type(#"ins = load("\#(Support.data("insurance.csv"))")"#))
        let keep = #"{taxis: "dropoff >= pickup", adult: "education -> `education-num`"}"#
        #expect(shell.type("r = run(experiment(tables: [taxis, adult, ins], generators: independent(), validators: quality, seeds: [1], rows: 300, keep: \(keep)))"),
                Comment(rawValue: shell.errors))
        guard case .results(let results) = shell.session.lookup("r") else { Issue.record("no results"); return }
        let rules = Dictionary(uniqueKeysWithValues: results.trials.map { ($0.table, $0.spec?.rules ?? "none") })
        #expect(rules == ["taxis": "dropoff >= pickup", "adult": "education -> `education-num`", "ins": "none"])
        #expect(results.trials.allSatisfy { ($0.spec?.learnsRules == true) == ($0.table != "ins") })
        let shown = shell.result("experiment(tables: [taxis, adult, ins], generators: independent(), seeds: [1], keep: \(keep))")
        #expect(shown.contains("  keep:       taxis: dropoff >= pickup\n  keep:       adult: education -> `education-num`\n"), Comment(rawValue: shown))
        #expect(shell.result(#"experiment(tables: [taxis, adult], generators: independent(), keep: {taxi: "dropoff >= pickup"})"#)
                .contains("keep: the experiment has no table 'taxi' (did you mean `taxis`?) (tables: taxis, adult)"))
        #expect(shell.result(#"experiment(tables: [taxis, adult], generators: independent(), keep: {adult: "tip >= 0"})"#)
                .contains("keep: rule 'tip >= 0': no column 'tip'"))
        #expect(shell.result(#"experiment(tables: [taxis, adult], generators: independent(), keep: {taxis: "tip >"})"#)
                .contains("keep: taxis: rule 'tip >': expected a number or a column name"))
    }

    /// Trips last minutes, not days: a generator that learns each column on its own keeps the
    /// length of trips only when it learns dropoff as the gap after pickup. Left out of what it
    /// makes, trips that end before they start leave trips of days.
    @Test func anIndependentGeneratorLearnsHowLongTripsLast() throws {
        let shell = try CapturedSession()
        let rules = "dropoff >= pickup; total >= fare + tip + tolls"
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("m = fit(independent(), taxis, seed: 3, keep: \"\(rules)\")"), Comment(rawValue: shell.errors))
        #expect(shell.type("r = fit(independent(), taxis, seed: 3, keep: \"\(rules)\", learn: false)"), Comment(rawValue: shell.errors))
        #expect(shell.result("m").contains("keeps \(rules) (learned: \(rules))"))
        #expect(shell.result("r").contains("keeps \(rules))"))
        func medianMinutes(_ name: String) throws -> Double {
            guard case .table(let value) = shell.session.lookup(name) else { throw SupportError("\(name) holds no table") }
            guard case .datetime(let pickup) = value.table.column(named: "pickup")!.values,
                  case .datetime(let dropoff) = value.table.column(named: "dropoff")!.values else { throw SupportError("no datetimes") }
            let minutes = zip(dropoff, pickup).map { Double($0 - $1) / 60_000_000 }.sorted()
            #expect(minutes.first! >= 0, "\(name)")
            return minutes[minutes.count / 2]
        }
        #expect(shell.type("learned = sample(m, rows: 2000)"), Comment(rawValue: shell.errors))
        #expect(shell.type("rejected = sample(r, rows: 2000)"), Comment(rawValue: shell.errors))
        let real = try medianMinutes("taxis"), learned = try medianMinutes("learned"), rejected = try medianMinutes("rejected")
        #expect(abs(learned - real) < 0.25 * real, "median trip: \(learned) min against the real \(real)")
        #expect(rejected > 24 * 60, "median trip: \(rejected) min")
        #expect(shell.type("c = constraints(rules: \"\(rules)\")"))
        #expect(shell.type("v = validate(taxis, learned, validators: c, seed: 1)"), Comment(rawValue: shell.errors))
        guard case .results(let results) = shell.session.lookup("v") else { Issue.record("no results"); return }
        #expect(results.trials.first?.value(of: "constraint_violation_rate") == 0)
        // learn: goes with keep:; a model in this process learns the same gaps.
        #expect(shell.result("fit(independent(), taxis, learn: false)").contains("learn: goes with keep: RULES"))
        #expect(shell.type("i = fit(independent(), taxis, seed: 3, keep: \"\(rules)\", executor: \"inprocess\")"), Comment(rawValue: shell.errors))
        #expect(shell.result("head(sample(i, rows: 50), rows: 50)") == shell.result("head(sample(m, rows: 50), rows: 50)"))
    }

    /// A saved model keeps its rules and gaps: loaded at the prompt or by synthlab sample, it makes
    /// the rows it made before.
    @Test func aSavedModelKeepsItsRules() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        let rules = "dropoff >= pickup; total >= fare + tip + tolls; dropoff - pickup <= 86400"
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("m = fit(bayesian_network(), taxis, seed: 2, keep: \"\(rules)\")"), Comment(rawValue: shell.errors))
        #expect(shell.type("save(m, \"\(folder)/bn.model\")"), Comment(rawValue: shell.errors))
        let header = try SavedModel.read(folder + "/bn.model").header
        #expect(header.rules == rules && header.learned?.map(\.column) == ["total", "dropoff"])
        // Format 2: a reader that does not restore the rules' columns must not sample it; this one
        // refuses a newer format.
        #expect(header.format == 2)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/bn.model"))
        let format = try #require(bytes.range(of: Data(#""format":2"#.utf8)))
        bytes.replaceSubrange(format, with: Data(#""format":3"#.utf8))
        try bytes.write(to: URL(fileURLWithPath: folder + "/newer.model"))
        #expect(shell.result("load_model(\"\(folder)/newer.model\")").contains("has a model header of format 3, newer than this SynthLab reads (2)"))
        #expect(shell.type("l = load_model(\"\(folder)/bn.model\")"), Comment(rawValue: shell.errors))
        #expect(shell.result("l").contains("keeps \(rules) (learned: \(rules))"))
        #expect(shell.type("a = sample(m, rows: 500, to: \"\(folder)/a.csv\")"), Comment(rawValue: shell.errors))
        #expect(shell.type("b = sample(l, rows: 500)"), Comment(rawValue: shell.errors))
        #expect(shell.result("head(a, rows: 500)") == shell.result("head(b, rows: 500)"))
        let provenance = try String(contentsOfFile: folder + "/a.csv.provenance.json", encoding: .utf8)
        // The rules kept, and those learned: all of them.
        #expect(provenance.components(separatedBy: rules).count == 3 && provenance.contains("learned"), Comment(rawValue: provenance))
        let plugins = try Support.pluginFolder()
        let cli = try Support.synthlab(["sample", "--model", folder + "/bn.model", "--rows", "500", "--out", folder + "/cli.csv"], pluginPath: plugins)
        #expect(cli.status == 0, Comment(rawValue: cli.stderr))
        #expect(try CSVReader.read(path: folder + "/cli.csv") == (try CSVReader.read(path: folder + "/a.csv")))
        let noLearn = try Support.synthlab(["synth", "--generator", "independent", "--data", Support.data("nyc_taxis.csv"), "--rows", "5", "--seed", "1",
                                            "--out", folder + "/x.csv", "--no-learn"], pluginPath: plugins)
        #expect(noLearn.status == 1 && noLearn.stderr.contains("--no-learn goes with --keep RULES"), Comment(rawValue: noLearn.stderr))
    }

    /// learn: is part of a trial's identity only when the trial learns rules: trials that keep
    /// rules by leaving rows out keep the keys they had.
    @Test func anExperimentLearnsRulesUnlessToldNot() throws {
        let shell = try CapturedSession()
        let rules = "dropoff >= pickup"
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("c = constraints(rules: \"\(rules)\")"))
        #expect(shell.type("learned = run(experiment(tables: taxis, generators: gaussian_copula(), validators: [c], seeds: [1, 2], rows: 300, keep: \"\(rules)\"))"),
                Comment(rawValue: shell.errors))
        #expect(shell.type("rejected = run(experiment(tables: taxis, generators: gaussian_copula(), validators: [c], seeds: [1, 2], rows: 300, keep: \"\(rules)\", learn: false))"),
                Comment(rawValue: shell.errors))
        guard case .results(let learned) = shell.session.lookup("learned"), case .results(let rejected) = shell.session.lookup("rejected") else {
            Issue.record("no results"); return
        }
        #expect(learned.trials.allSatisfy { $0.spec?.learnsRules == true && $0.value(of: "constraint_violation_rate") == 0 })
        #expect(rejected.trials.allSatisfy { $0.spec?.learnsRules == nil && $0.value(of: "constraint_violation_rate") == 0 })
        let keys = Set(learned.trials.compactMap { $0.spec?.key })
        #expect(keys.count == 2 && keys.isDisjoint(with: rejected.trials.compactMap { $0.spec?.key }))
        // A spec that learns no gap hashes as one written before gaps were learned.
        var spec = try #require(rejected.trials.first?.spec)
        let before = spec.key
        spec.learnsRules = false
        spec.useConfigurationHash(TrialSpec.configurationHash(of: spec))
        #expect(spec.key == before)
        #expect(shell.result("experiment(tables: taxis, generators: independent(), seeds: 1, keep: \"\(rules)\")")
                .contains("  keep:       \(rules) (learned where they can be: an inequality as a gap, a dependency as a mapping)"))
        #expect(shell.result("experiment(tables: taxis, generators: independent(), seeds: 1, learn: true)").contains("learn: goes with keep: RULES"))
    }
}
