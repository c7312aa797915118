import Foundation
import SynthKit
import SynthLab
import SynthMath
import Testing

@Suite("gaussian_copula generator")
struct GaussianCopulaTests {
    func synthesize(_ dataset: String, seed: UInt64, parameters: [String: ParameterValue] = [:], rows: Int? = nil) throws -> (Table, Table) {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let plugin = try registry.plugin("gaussian_copula", kind: .generator)
        let host = HostServices(seed: seed)
        let session = try GeneratorSession(generator: try PluginInstance(plugin, values: parameters, host: host), privacy: nil)
        let real = try CSVReader.read(path: Support.data(dataset))
        try session.fit(real, host: host)
        return (real, try session.sample(rows: rows ?? real.rowCount, host: host))
    }

    /// Spearman's rank correlation (what a copula keeps, whatever the marginals).
    func correlation(_ table: Table, _ a: String, _ b: String) -> Double {
        func ranks(_ values: [Double]) -> [Double] {
            let order = values.indices.sorted { values[$0] < values[$1] }
            var ranks = [Double](repeating: 0, count: values.count)
            var i = 0
            while i < order.count {
                var j = i
                while j + 1 < order.count, values[order[j + 1]] == values[order[i]] { j += 1 }
                for k in i...j { ranks[order[k]] = Double(i + j) / 2 }
                i = j + 1
            }
            return ranks
        }
        let x = ranks(table.column(named: a)!.presentNumbers()!), y = ranks(table.column(named: b)!.presentNumbers()!)
        let (mx, sx) = meanAndStandardDeviation(x)!, (my, sy) = meanAndStandardDeviation(y)!
        return zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / Double(x.count - 1) / (sx * sy)
    }

    @Test func keepsMarginalsCorrelationsAndMissingRates() throws {
        let (real, synthetic) = try synthesize("insurance.csv", seed: 3)
        #expect(synthetic.columnNames == real.columnNames && synthetic.kinds == real.kinds)
        // Rank correlations of the real table survive: age–charges and bmi–charges.
        for (a, b) in [("age", "charges"), ("bmi", "charges"), ("age", "bmi")] {
            #expect(abs(correlation(synthetic, a, b) - correlation(real, a, b)) < 0.06,
                    "\(a)–\(b): \(correlation(synthetic, a, b)) vs \(correlation(real, a, b))")
        }
        // The share of smokers, and the range of charges.
        func share(_ table: Table, _ column: String, _ level: String) -> Double {
            let c = table.column(named: column)!
            return Double((0..<c.count).filter { c.text(at: $0) == level }.count) / Double(c.count)
        }
        #expect(abs(share(synthetic, "smoker", "yes") - share(real, "smoker", "yes")) < 0.03)
        let charges = synthetic.column(named: "charges")!.presentNumbers()!, realCharges = real.column(named: "charges")!.presentNumbers()!
        #expect(charges.min()! >= realCharges.min()! && charges.max()! <= realCharges.max()!)
        #expect(ksStatistic(charges, realCharges)! < 0.06)

        let (adult, synthetic2) = try synthesize("adult.csv", seed: 4, rows: 20_000)
        for name in ["workclass", "occupation", "native-country"] {
            let rate = { (t: Table) in Double(t.column(named: name)!.missingCount) / Double(t.rowCount) }
            #expect(abs(rate(synthetic2) - rate(adult)) < 0.01, "\(name)")
        }
        // Mostly-zero columns keep their point mass at 0.
        let gains = synthetic2.column(named: "capital-gain")!.presentNumbers()!
        let zeroShare = Double(gains.filter { $0 == 0 }.count) / Double(gains.count)
        #expect(abs(zeroShare - 0.9167) < 0.01)
    }

    @Test func samplesGivenACategory() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 6)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("gaussian_copula"), host: host), privacy: nil)
        let real = try CSVReader.read(path: Support.data("insurance.csv"))
        try session.fit(real, host: host)
        let smokers = try session.sample(rows: 2000, where: ("smoker", "yes"), host: host)
        let column = smokers.column(named: "smoker")!
        #expect((0..<2000).allSatisfy { column.text(at: $0) == "yes" })
        // Smokers' charges are about three times the others'; the condition carries that over.
        func meanCharges(_ table: Table, smoker: String) -> Double {
            let s = table.column(named: "smoker")!, c = table.column(named: "charges")!.presentNumbers()!
            let picked = (0..<table.rowCount).filter { s.text(at: $0) == smoker }.map { c[$0] }
            return picked.reduce(0, +) / Double(picked.count)
        }
        // Exact conditioning gives what filtering the copula's own unconditional rows gives.
        let unconditional = try session.sample(rows: 40_000, host: host)
        let filtered = meanCharges(unconditional, smoker: "yes")
        #expect(abs(meanCharges(smokers, smoker: "yes") - filtered) < 0.04 * filtered)
        #expect(meanCharges(smokers, smoker: "yes") > 1.5 * meanCharges(real, smoker: "no"))
        #expect(throws: SynthLabError.self) { _ = try session.sample(rows: 5, where: ("smoker", "maybe"), host: host) }
        #expect(throws: SynthLabError.self) { _ = try session.sample(rows: 5, where: ("charges", "1"), host: host) }
    }

    @Test func isDeterministicUnderASeed() throws {
        let (_, a) = try synthesize("german_credit.csv", seed: 9)
        let (_, b) = try synthesize("german_credit.csv", seed: 9)
        let (_, c) = try synthesize("german_credit.csv", seed: 10)
        #expect(CSVWriter.render(a) == CSVWriter.render(b))
        #expect(CSVWriter.render(a) != CSVWriter.render(c))
    }

    @Test func aFixedFamilyCanBeAsked() throws {
        let (real, synthetic) = try synthesize("insurance.csv", seed: 5, parameters: ["default_distribution": .string("uniform")])
        // Uniform between the observed bounds: the mean sits at the middle of the range.
        let ages = synthetic.column(named: "age")!.presentNumbers()!
        let realAges = real.column(named: "age")!.presentNumbers()!
        #expect(abs(ages.reduce(0, +) / Double(ages.count) - (realAges.min()! + realAges.max()!) / 2) < 1)
    }

    @Test func composedWithLaplaceItUsesNoisyMarginalsAndKendallsTau() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 8)
        let privacy = try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float(5)], host: host)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("gaussian_copula"), host: host), privacy: privacy)
        let real = try CSVReader.read(path: Support.data("adult.csv"))
        try session.fit(real, host: host)
        let synthetic = try session.sample(rows: 20_000, host: host)
        #expect(session.privacySpent?.epsilon == 5)
        #expect(synthetic.kinds == real.kinds)
        // Strong dependencies keep their sign and most of their strength.
        let realRho = correlation(real, "education-num", "age"), syntheticRho = correlation(synthetic, "education-num", "age")
        #expect(abs(syntheticRho - realRho) < 0.1)
        let rate = { (t: Table) in Double(t.column(named: "occupation")!.missingCount) / Double(t.rowCount) }
        #expect(abs(rate(synthetic) - rate(real)) < 0.01)
    }
}
