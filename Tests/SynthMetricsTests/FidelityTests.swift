import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthMetrics

/// Column and pair statistics against scipy on three pairs of shared tables (the fixture and the
/// command that made it: bench/fixtures/make_fidelity_fixture.py).
struct FidelityTests {
    struct Pair: Decodable {
        let columns: [String: [String: Double]]
        let pairs: [String: [String: Double]]
    }
    struct Fixture: Decodable { let pairs: [String: Pair] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: TestData.fixtures + "/fidelity.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    static func close(_ ours: Double?, _ theirs: Double?, _ tolerance: Double) -> Bool {
        guard let ours, let theirs else { return ours == nil && theirs == nil }
        return abs(ours - theirs) <= tolerance * max(1, abs(theirs))
    }

    @Test(arguments: ["insurance", "german_credit", "nyc_taxis"])
    func columnStatisticsMatchScipy(_ name: String) throws {
        let expected = try #require(Self.fixture.pairs[name])
        let (real, synthetic) = try QualityTests.tables(name, QualityTests.fixture.pairs[name]!)
        var compared = 0
        for (column, values) in expected.columns {
            let a = real.column(named: column)!, b = synthetic.column(named: column)!
            if let ra = numbersWithMissing(a), let sb = numbersWithMissing(b), ColumnShape(a.kind) == .continuous {
                let test = try #require(Fidelity.kolmogorovSmirnov(ra, sb))
                #expect(Self.close(test.statistic, values["ks_statistic"], 1e-12), "\(name).\(column) D")
                #expect(Self.close(test.pValue, values["ks_pvalue"], 1e-9), "\(name).\(column) p \(test.pValue) vs \(values["ks_pvalue"]!)")
                #expect(Self.close(Fidelity.wasserstein(ra, sb), values["wasserstein"], 1e-9), "\(name).\(column) W1")
                #expect(Self.close(Fidelity.jensenShannon(real: ra, synthetic: sb), values["js_distance"], 1e-9), "\(name).\(column) JS")
            } else {
                let shared = SharedCategories(real: a, synthetic: b)
                #expect(Self.close(Fidelity.totalVariation(shared), values["tv_distance"], 1e-12), "\(name).\(column) TV")
                #expect(Self.close(Fidelity.jensenShannon(shared), values["js_distance"], 1e-9), "\(name).\(column) JS")
                let test = Fidelity.chiSquared(shared)
                #expect(Self.close(test?.statistic, values["chi_squared"], 1e-9), "\(name).\(column) X²")
                #expect(Self.close(test?.pValue, values["chi_squared_pvalue"], 1e-9), "\(name).\(column) X² p")
            }
            compared += 1
        }
        #expect(compared == real.columns.count)
    }

    @Test(arguments: ["insurance", "german_credit", "nyc_taxis"])
    func correlationsMatchScipy(_ name: String) throws {
        let expected = try #require(Self.fixture.pairs[name])
        let (real, synthetic) = try QualityTests.tables(name, QualityTests.fixture.pairs[name]!)
        #expect(!expected.pairs.isEmpty)
        for (label, values) in expected.pairs {
            let names = label.split(separator: "|").map(String.init)
            for (side, table) in [("real", real), ("synthetic", synthetic)] {
                let x = numbersWithMissing(table.column(named: names[0])!)!, y = numbersWithMissing(table.column(named: names[1])!)!
                #expect(Self.close(Correlation.pearson(x, y), values[side + "_pearson"], 1e-9), "\(name) \(label) \(side) Pearson")
                #expect(Self.close(Correlation.spearman(x, y), values[side + "_spearman"], 1e-9), "\(name) \(label) \(side) Spearman")
            }
        }
    }
}
