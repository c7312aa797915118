import Foundation
import SynthKit
import SynthLab
import SynthMath
import Testing

/// The dp_sgd mechanism driven through its ABI as a generator drives it.
@Suite("dp_sgd mechanism")
struct DPSGDTests {
    func mechanism(_ values: [String: ParameterValue], seed: UInt64 = 3) throws -> GradientMechanism {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: seed)
        return try GradientMechanism(try PluginInstance(registry.plugin("dp_sgd", kind: .privacy), values: values, host: host), host: host)
    }

    @Test func clipsToTheNormAddsCalibratedNoiseAndAccountsEachStep() throws {
        let dp = try mechanism(["epsilon": .float(3), "delta": .float(1e-5), "clip_norm": .float(0.5)])
        let plan = try dp.plan(examples: 10_000, batchSize: 200, epochs: 4)
        #expect(plan.samplingRate == 0.02 && plan.steps == 200 && plan.clipNorm == 0.5)
        // σ was calibrated to spend the budget over the planned steps.
        let planned = RDPAccountant.epsilon(samplingRate: 0.02, noiseMultiplier: plan.noiseMultiplier, steps: 200, delta: 1e-5).epsilon
        #expect(planned <= 3 && planned > 0.99 * 3)

        // No clipped gradient is longer than C.
        let norms: [Double] = [0, 0.1, 0.5, 0.5000001, 2, 1e6]
        let factors = try dp.clipFactors(norms)
        for (norm, factor) in zip(norms, factors) {
            #expect(norm * factor <= 0.5 * (1 + 1e-12) && factor <= 1 && factor > 0)
        }
        #expect(factors[0] == 1 && factors[1] == 1 && abs(factors[5] * 1e6 - 0.5) < 1e-9)

        // The noise on a zero sum has mean 0 and standard deviation σC.
        var sum = [Float](repeating: 0, count: 200_000)
        try dp.noise(&sum)
        let values = sum.map(Double.init)
        let (mean, sd) = meanAndStandardDeviation(values)!
        let expected = plan.noiseMultiplier * plan.clipNorm
        #expect(abs(mean) < 4 * expected / 200_000.0.squareRoot())
        #expect(abs(sd / expected - 1) < 0.01, "sd \(sd), expected \(expected)")

        // ε spent is the accountant's for the steps taken; the step after the plan is refused.
        let afterOne = RDPAccountant.epsilon(samplingRate: 0.02, noiseMultiplier: plan.noiseMultiplier, steps: 1, delta: 1e-5).epsilon
        #expect(abs(dp.spent.epsilon - afterOne) < 1e-12 && dp.spent.delta == 1e-5)
        var small = [Float](repeating: 0, count: 4)
        for _ in 1..<200 { try dp.noise(&small) }
        #expect(abs(dp.spent.epsilon - planned) < 1e-12)
        #expect(throws: SynthLabError.pluginFailed(plugin: "dp_sgd", operation: "noise",
                                                   message: "dp_sgd: step 201 exceeds the 200 planned; the budget ε = 3.0 is spent")) {
            try dp.noise(&small)
        }
    }

    @Test func aGivenNoiseMultiplierOverTheBudgetIsRefused() throws {
        let dp = try mechanism(["epsilon": .float(1), "noise_multiplier": .float(0.7)])
        #expect(throws: SynthLabError.self) { try dp.plan(examples: 1000, batchSize: 100, epochs: 10) }
        do {
            _ = try dp.plan(examples: 1000, batchSize: 100, epochs: 10)
        } catch {
            #expect("\(error)".contains("would spend ε =") && "\(error)".contains("over the budget ε = 1"), "\(error)")
        }
        #expect(dp.spent.epsilon == 0)
    }
}
