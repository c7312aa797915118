import Foundation
import Testing

/// `synthlab privacy epsilon`: plan a DP-SGD run before starting it.
struct PrivacyCommandTests {
    @Test func printsEpsilonAndItsInverse() throws {
        let forward = try Support.synthlab(["privacy", "epsilon", "--mechanism", "dp_sgd", "--sampling-rate", "0.0192",
                                            "--noise-multiplier", "1.1", "--steps", "15600", "--delta", "1e-5", "--json"])
        #expect(forward.status == 0, "\(forward.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(forward.stdout.utf8)) as? [String: Any])
        // dp_accounting 0.6.0's RdpAccountant gives 15.929113981539754 for this run.
        let epsilon = try #require(report["epsilon"] as? Double)
        #expect(abs(epsilon - 15.929113981539754) < 1e-9 * 15.93)

        let inverse = try Support.synthlab(["privacy", "epsilon", "--sampling-rate", "0.0192", "--epsilon", "1", "--steps", "15600",
                                            "--delta", "1e-5", "--json"])
        let planned = try #require(try JSONSerialization.jsonObject(with: Data(inverse.stdout.utf8)) as? [String: Any])
        let sigma = try #require(planned["noise_multiplier"] as? Double), reached = try #require(planned["epsilon"] as? Double)
        #expect(sigma > 9 && sigma < 11 && reached <= 1 && reached > 0.99, "\(planned)")

        let both = try Support.synthlab(["privacy", "epsilon", "--sampling-rate", "0.01", "--epsilon", "1", "--noise-multiplier", "1",
                                         "--steps", "10", "--delta", "1e-5"])
        #expect(both.status != 0 && both.stderr.contains("give exactly one of --noise-multiplier and --epsilon"))
        let badRate = try Support.synthlab(["privacy", "epsilon", "--sampling-rate", "1.5", "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-5"])
        #expect(badRate.status != 0 && badRate.stderr.contains("--sampling-rate must be in (0, 1], got 1.5"))
    }
}
