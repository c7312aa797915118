import Foundation
import Testing
@testable import SynthMath

/// The KS null distributions and the two-sample test against scipy 1.17 (the fixture and the
/// command that made it: bench/fixtures/make_ks_distribution_fixture.py).
struct KolmogorovSmirnovTests {
    struct Point: Decodable { let n: Int, x: Double, sf: String }
    struct Pair: Decodable {
        let n1: Int, n2: Int, statistic: String, pvalue: String
        let first: [String]?, second: [String]?
    }
    struct Fixture: Decodable { let kstwo: [Point], smirnov: [Point], two_sample: [Pair] }

    static let fixture: Fixture = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        let data = try! Data(contentsOf: url.appendingPathComponent("Fixtures/ks_distribution_scipy.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test func kolmogorovSurvivalMatchesKstwo() {
        #expect(Self.fixture.kstwo.count > 150)
        var worst = 0.0
        for point in Self.fixture.kstwo {
            let expected = Double(point.sf)!
            let ours = kolmogorovSurvival(point.n, point.x)
            worst = max(worst, abs(ours - expected))
            #expect(abs(ours - expected) <= 1e-9, "kstwo.sf(\(point.x), \(point.n)): \(ours) vs scipy \(expected)")
            if expected > 1e-300 { #expect(abs(ours - expected) <= 1e-6 * expected, "relative, n \(point.n) x \(point.x)") }
        }
        #expect(worst < 1e-9)
    }

    @Test func smirnovMatchesScipy() {
        for point in Self.fixture.smirnov {
            let expected = Double(point.sf)!
            let ours = smirnovSurvival(point.n, point.x)
            #expect(abs(ours - expected) <= 1e-12 + 1e-9 * expected, "smirnov(\(point.n), \(point.x)): \(ours) vs \(expected)")
        }
    }

    @Test func twoSampleTestsMatchKs2samp() throws {
        var exact = 0, asymptotic = 0
        for pair in Self.fixture.two_sample {
            let statistic = Double(pair.statistic)!, pValue = Double(pair.pvalue)!
            let result: KSTestResult
            if let first = pair.first, let second = pair.second {
                result = try #require(ksTwoSampleTest(first.map { Double($0)! }, second.map { Double($0)! }))
                #expect(abs(result.statistic - statistic) <= 1e-12, "D for \(pair.n1)×\(pair.n2)")
            } else {
                result = ksTwoSamplePValue(statistic: statistic, sizes: pair.n1, pair.n2)
            }
            if result.exact { exact += 1 } else { asymptotic += 1 }
            #expect(result.exact == (max(pair.n1, pair.n2) <= 10_000), "\(pair.n1)×\(pair.n2)")
            #expect(abs(result.pValue - pValue) <= 1e-9, "p for \(pair.n1)×\(pair.n2) D \(statistic): \(result.pValue) vs scipy \(pValue)")
        }
        #expect(exact >= 20 && asymptotic >= 9)
    }

    @Test func degenerateSamples() throws {
        #expect(ksTwoSampleTest([], [1]) == nil)
        let same = try #require(ksTwoSampleTest([1, 1, 1], [1, 1]))
        #expect(same.statistic == 0 && same.pValue == 1)
        let apart = try #require(ksTwoSampleTest([0, 0, 0], [1, 1, 1]))
        #expect(apart.statistic == 1 && abs(apart.pValue - 0.1) < 1e-15)
    }

    @Test func chiSquaredTail() {
        // chi2.sf from scipy 1.17: sf(3.84, 1), sf(30, 10), sf(200, 50).
        #expect(abs(chiSquaredSurvival(3.84, degrees: 1) - 0.05004352124870519) < 1e-12)
        #expect(abs(chiSquaredSurvival(30, degrees: 10) - 0.000856641210775301) < 1e-14)
        #expect(abs(chiSquaredSurvival(200, degrees: 50) / 7.857610724654791e-20 - 1) < 1e-9)
    }
}
