import Foundation
import SynthKit
import Testing
@testable import SynthLab

/// The statistical generators under privacy cut each numeric column into bins of its public range;
/// a point mass at an end of the range (capital-gain's 0, held by 92 % of adult's rows, and its
/// top code 99999) comes out as a point mass, not spread over the first or last bin.
@Suite("private histograms keep point masses at the range's ends")
struct PrivateHistogramTests {
    static let real: Table = try! CSVReader.read(path: Support.data("adult.csv"))

    static func share(_ table: Table, _ column: String, equal value: Double) -> Double {
        let numbers = table.column(named: column)!.presentNumbers()!
        return Double(numbers.filter { $0 == value }.count) / Double(numbers.count)
    }

    @Test(arguments: [("independent", [String: ParameterValue]()), ("gaussian_copula", [:]), ("bayesian_network", ["degree": .int(1)]),
                      ("independent", ["numeric_model": .string("histogram")])])
    func theEndsOfTheRangeKeepTheirMass(generator: String, parameters: [String: ParameterValue]) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 3)
        // The last case is the histogram without privacy, on the same edges.
        let privacy = parameters["numeric_model"] == nil
            ? try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float(5)], host: host) : nil
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: parameters, host: host),
                                           privacy: privacy)
        try session.fit(Self.real, host: host)
        let synthetic = try session.sample(rows: 20_000, host: host)
        for (column, value) in [("capital-gain", 0.0), ("capital-loss", 0.0), ("capital-gain", 99_999.0)] {
            let real = Self.share(Self.real, column, equal: value), made = Self.share(synthetic, column, equal: value)
            // Within 0.05 of a large share (smeared, capital-gain's 0 made 0 % of the rows), within
            // half of a small one.
            #expect(abs(made - real) < (real < 0.05 ? real * 0.5 : 0.05), "\(generator): \(column) = \(value) in \(made) of the rows, real \(real)")
        }
        // Values inside the range are still drawn: the mass between the ends is not lost.
        let inside = 1 - Self.share(synthetic, "capital-gain", equal: 0) - Self.share(synthetic, "capital-gain", equal: 99_999)
        #expect(inside > 0.03, "\(generator): \(inside) of capital-gain between its ends (real 0.078)")
    }
}

/// `bounds:` gives a numeric column its range under privacy, in place of its values' minimum and
/// maximum: values are clipped to it.
@Suite("public bounds under privacy")
struct PublicBoundsTests {
    static func fit(_ generator: String, _ dataset: String, bounds: String, rows: Int = 20_000) throws -> (Table, Table) {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 5)
        let privacy = try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float(5)], host: host)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: ["bounds": .string(bounds)], host: host),
                                           privacy: privacy)
        let real = try CSVReader.read(path: Support.data(dataset))
        try session.fit(real, host: host)
        return (real, try session.sample(rows: rows, host: host))
    }

    final class Warnings: @unchecked Sendable { var warnings: [String] = [] }

    /// Host services that keep the warnings plugins log.
    static func hostKeepingWarnings(seed: UInt64) -> (HostServices, Warnings) {
        let log = Warnings()
        return (HostServices(seed: seed, log: { level, message in if level == .warning { log.warnings.append(message) } }), log)
    }

    static func shape(_ real: Table, _ synthetic: Table, _ column: String) throws -> Double {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 0)
        let results = try Validating.run(try PluginInstance(registry.plugin("column_shapes"), host: host), real: real, synthetic: synthetic, host: host)
        return try #require(results.first { $0.metric.column == column }).metric.value
    }

    @Test(arguments: ["independent", "gaussian_copula", "bayesian_network"])
    func valuesStayWithinTheBoundsGiven(generator: String) throws {
        let (real, synthetic) = try Self.fit(generator, "adult.csv", bounds: "age=20:60")
        let ages = synthetic.column(named: "age")!.presentNumbers()!
        #expect(ages.allSatisfy { (20...60).contains($0) }, "\(generator): ages from \(ages.min()!) to \(ages.max()!)")
        // The rows under 20 and over 60 are clipped onto the ends, which keep their mass.
        let realAges = real.column(named: "age")!.presentNumbers()!
        let under = Double(realAges.filter { $0 <= 20 }.count) / Double(realAges.count)
        let atLow = Double(ages.filter { $0 == 20 }.count) / Double(ages.count)
        #expect(abs(atLow - under) < 0.02, "\(generator): \(atLow) of the rows at 20, \(under) of the real ones at or under it")
    }

    /// Under dp_sgd, ctgan and tvae give each numeric column one mode over its public range: the
    /// bounds given, or else the data's minimum and maximum, which a warning names.
    @Test(arguments: ["ctgan", "tvae"])
    func neuralGeneratorsTakeTheBoundsUnderDPSGD(generator: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let (host, log) = Self.hostKeepingWarnings(seed: 3)
        let privacy = try PluginInstance(registry.plugin("dp_sgd"), values: ["epsilon": .float(5)], host: host)
        // northeast is not listed (its 324 rows count as missing); central is, though no row holds it.
        var values: [String: ParameterValue] = ["epochs": .int(1), "batch_size": .int(200), "bounds": .string("age=50:60, bmi=30:60"),
                                                "categories": .string("sex=female|male, smoker=yes|no, region=southwest|southeast|northwest|central")]
        if generator == "ctgan" { values["pac"] = .int(1) }
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: values, host: host), privacy: privacy)
        try session.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
        let synthetic = try session.sample(rows: 2000, host: host)
        let ages = synthetic.column(named: "age")!.presentNumbers()!, bmis = synthetic.column(named: "bmi")!.presentNumbers()!
        // insurance's ages run from 18 to 64 and its bmi from 16 to 53: the model's ranges are the
        // bounds, narrower than the data's at the low end (a model on the data's range, barely
        // trained, makes values about the middle of it: ages near 41).
        #expect(ages.allSatisfy { (50...60).contains($0) } && bmis.allSatisfy { (30...60).contains($0) },
                "\(generator): ages \(ages.min()!)…\(ages.max()!), bmi \(bmis.min()!)…\(bmis.max()!)")
        #expect(log.warnings == ["\(generator): the range of children, charges is taken from the data, as public metadata outside the "
                                 + "privacy guarantee; give bounds: to set it without looking at the data",
                                 "\(generator): 324 rows of region hold categories that categories: does not list, and count as missing: "
                                 + "'northeast' (324)"], "\(log.warnings)")
        // The model's categories are the public ones, in their order, missing for the rows of none.
        guard case .categorical(let codes, let levels) = synthetic.column(named: "region")!.values else {
            Issue.record("region is not categorical")
            return
        }
        #expect(levels == ["southwest", "southeast", "northwest", "central"])
        #expect(codes.allSatisfy { (0..<4).contains($0) })
        #expect {
            var bad = values
            bad["bounds"] = .string("sex=0:1")
            let refused = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: bad, host: host), privacy: privacy)
            try refused.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
        } throws: { "\($0)".contains("bounds: column 'sex' is categorical; bounds apply to numeric columns") }
    }

    /// The statistical generators under a statistics privacy plugin take the public categories
    /// too, and warn of the categorical columns whose categories come from the data.
    @Test(arguments: ["independent", "gaussian_copula", "bayesian_network"])
    func statisticalGeneratorsTakeThePublicCategories(generator: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let (host, log) = Self.hostKeepingWarnings(seed: 5)
        let privacy = try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float(5)], host: host)
        let values: [String: ParameterValue] = ["bounds": .string("age=18:64, bmi=15:55, children=0:5, charges=1000:65000"),
                                                "categories": .string("region=southwest|southeast|northwest|northeast|central")]
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: values, host: host), privacy: privacy)
        try session.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
        let synthetic = try session.sample(rows: 5000, host: host)
        guard case .categorical(_, let levels) = synthetic.column(named: "region")!.values else {
            Issue.record("region is not categorical")
            return
        }
        #expect(levels == ["southwest", "southeast", "northwest", "northeast", "central"])
        #expect(log.warnings == ["\(generator): the categories of sex, smoker are taken from the data, as public metadata outside the "
                                 + "privacy guarantee; give categories: to set them without looking at the data"], "\(log.warnings)")
        // Without privacy the categories are the data's, and the fit says that neither parameter is used.
        log.warnings = []
        let plain = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: values, host: host), privacy: nil)
        try plain.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
        guard case .categorical(_, let plainLevels) = try plain.sample(rows: 50, host: host).column(named: "region")!.values else {
            Issue.record("region is not categorical")
            return
        }
        #expect(Set(plainLevels) == ["southwest", "southeast", "northwest", "northeast"])
        #expect(log.warnings == ["\(generator): bounds: applies under privacy, and is not used without it",
                                 "\(generator): categories: applies under privacy, and is not used without it"], "\(log.warnings)")
    }

    @Test func badCategoriesAreRefusedWithTheReason() throws {
        #expect(try PublicCategories(parsing: #" sex = female | male , note=a\,b|c\|d|e\=f|g\\h "#).levels
                == ["sex": ["female", "male"], "note": ["a,b", "c|d", "e=f", #"g\h"#]])
        #expect(try PublicCategories(parsing: "").levels.isEmpty)
        #expect(try PublicCategories(parsing: #"income=>50K|<=50K, a\=b=c"#).levels == ["income": [">50K", "<=50K"], "a=b": ["c"]])
        #expect(throws: PluginError.invalidArgument("categories: 'sex' is not NAME=CATEGORY|CATEGORY; write \(PublicCategories.format)")) {
            try PublicCategories(parsing: "sex")
        }
        #expect(throws: PluginError.invalidArgument("categories: '=a|b' names no column; write \(PublicCategories.format)")) {
            try PublicCategories(parsing: "=a|b")
        }
        #expect(throws: PluginError.invalidArgument("categories: sex's category 2 is empty; write \(PublicCategories.format)")) {
            try PublicCategories(parsing: "sex=female||male")
        }
        #expect(throws: PluginError.invalidArgument("categories: sex lists 'male' twice")) { try PublicCategories(parsing: "sex=male|female|male") }
        #expect(throws: PluginError.invalidArgument("categories: sex is given twice")) { try PublicCategories(parsing: "sex=a, sex=b") }
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 1)
        for (categories, reason) in [("age=young|old", "categories: column 'age' is integer; categories apply to categorical columns"),
                                     ("regio=north", "categories: no column 'regio'")] {
            #expect {
                let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("independent"), values: ["categories": .string(categories)],
                                                                                 host: host), privacy: nil)
                try session.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
            } throws: { "\($0)".contains(reason) }
        }
    }

    /// col_rec_tat: hours from collection to receipt; 99 % under 24, the largest 61370. Over its
    /// range from the data, equal-width bins put nearly every row in the first (a column shape
    /// under 0.2); bins that widen in equal ratios keep its shape, and so do bounds that cut the
    /// tail off.
    @Test func aHeavyTailKeepsItsShapeWithOrWithoutBounds() throws {
        let (real, unbounded) = try Self.fit("independent", "covid_testing.csv", bounds: "", rows: 5000)
        let (_, bounded) = try Self.fit("independent", "covid_testing.csv", bounds: "col_rec_tat=0:48", rows: 5000)
        let without = try Self.shape(real, unbounded, "col_rec_tat"), with = try Self.shape(real, bounded, "col_rec_tat")
        #expect(without > 0.9 && with > 0.85, "column shape \(without) without bounds, \(with) with them")
    }

    @Test func badBoundsAreRefusedWithTheReason() throws {
        #expect(throws: PluginError.invalidArgument("bounds: 'age=1' is not NAME=LOW:HIGH with two numbers; write \(PublicBounds.format)")) {
            try PublicBounds(parsing: "age=1")
        }
        #expect(throws: PluginError.invalidArgument("bounds: age needs LOW below HIGH, got 9:1")) { try PublicBounds(parsing: "age=9:1") }
        #expect(throws: PluginError.invalidArgument("bounds: age is given twice")) { try PublicBounds(parsing: "age=0:1, age=0:2") }
        #expect(try PublicBounds(parsing: " temp=-40.5:50 , day-count=0:1e3 ").ranges == ["temp": -40.5...50, "day-count": 0...1000])
        #expect(try PublicBounds(parsing: "").ranges.isEmpty)
        #expect {
            _ = try Self.fit("gaussian_copula", "insurance.csv", bounds: "smoker=0:1")
        } throws: { "\($0)".contains("bounds: column 'smoker' is categorical; bounds apply to numeric columns") }
        #expect {
            _ = try Self.fit("bayesian_network", "insurance.csv", bounds: "agee=0:100")
        } throws: { "\($0)".contains("bounds: no column 'agee'") }
    }
}
