import Foundation
import Testing
@testable import SynthMath

/// The DP-SGD accountant against Google's dp_accounting RdpAccountant (the fixture and the command
/// that made it: bench/fixtures/make_rdp_fixture.py).
struct RDPAccountantTests {
    struct Point: Decodable { let q: Double, sigma: Double, steps: Int, delta: Double, epsilon: Double, order: Double }
    struct Fixture: Decodable { let points: [Point] }

    static let fixture: Fixture = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        let data = try! Data(contentsOf: url.appendingPathComponent("Fixtures/rdp_dp_accounting.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test func epsilonMatchesDPAccountingOnTheGrid() {
        #expect(Self.fixture.points.count >= 50)
        for p in Self.fixture.points {
            let (epsilon, order) = RDPAccountant.epsilon(samplingRate: p.q, noiseMultiplier: p.sigma, steps: p.steps, delta: p.delta)
            #expect(abs(epsilon - p.epsilon) <= 1e-6 * max(p.epsilon, 1e-12), "q \(p.q) σ \(p.sigma) T \(p.steps) δ \(p.delta): \(epsilon) vs \(p.epsilon)")
            #expect(order == p.order, "q \(p.q) σ \(p.sigma) T \(p.steps) δ \(p.delta): order \(order) vs \(p.order)")
        }
    }

    @Test func calibratedNoiseReachesTheRequestedEpsilon() throws {
        for (target, q, steps) in [(1.0, 0.0192, 15_600), (0.1, 0.01, 1000), (10.0, 0.05, 3000), (3.0, 0.5, 40)] {
            let sigma = try #require(RDPAccountant.noiseMultiplier(forEpsilon: target, samplingRate: q, steps: steps, delta: 1e-5))
            let reached = RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: 1e-5).epsilon
            #expect(reached <= target && reached >= 0.99 * target, "target \(target): σ \(sigma) gives \(reached)")
        }
        // Pure noise cannot make a single step with q = 1 at ε = 1e-6 private enough below σ = 10⁴.
        #expect(RDPAccountant.noiseMultiplier(forEpsilon: 1e-9, samplingRate: 1, steps: 1000, delta: 1e-9) == nil)
    }
}
