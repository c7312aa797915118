import Foundation
import SynthKit
import SynthMath

/// DP-SGD (Abadi et al. 2016) as a privacy mechanism for neural generators: Poisson-sampled
/// batches at rate q = batch / examples, each example's gradient clipped to L2 norm C, Gaussian
/// noise N(0, (σC)²) on every coordinate of the clipped sum. Its accountant is the Rényi-DP
/// accountant of the subsampled Gaussian mechanism with dp_accounting's orders and conversion
/// (`RDPAccountant`). With `noise_multiplier` 0, σ is calibrated so that the planned T = epochs / q
/// steps spend at most `epsilon` at `delta`; with a given σ, a plan that would spend more than
/// `epsilon` is refused before training starts. The ε reported is that of the steps taken.
public struct DPSGDPrivacy: GradientPrivacy {
    public static let descriptor = PluginDescriptor(
        id: "dp_sgd",
        name: "DP-SGD",
        version: "1.0.0",
        kind: .privacy,
        summary: "Differentially private SGD: Poisson sampling, per-example clipping, Gaussian noise, RDP accountant.",
        parameters: [
            .float("epsilon", default: nil, min: 0, max: 1e6, flags: [.privacyRelevant, .minExclusive],
                   help: "Privacy budget ε of the whole training run."),
            .float("delta", default: 1e-5, min: 0, max: 1, flags: [.privacyRelevant, .minExclusive, .maxExclusive],
                   help: "δ of the (ε, δ) guarantee; keep it below 1 / rows."),
            .float("clip_norm", default: 1, min: 0, max: 1e6, flags: [.privacyRelevant, .minExclusive],
                   help: "Largest L2 norm C of one example's gradient."),
            .float("noise_multiplier", default: 0, min: 0, max: 1e4, flags: [.privacyRelevant],
                   help: "σ (noise standard deviation / C); 0 calibrates it to spend epsilon."),
        ],
        capabilities: [Capability.privacyGradient])

    let epsilon: Double, delta: Double, clipNorm: Double, requestedSigma: Double
    var plan: GradientPlan?
    var taken = 0

    public init(parameters: Parameters, context: PluginContext) throws {
        epsilon = parameters.float("epsilon")
        delta = parameters.float("delta")
        clipNorm = parameters.float("clip_norm")
        requestedSigma = parameters.float("noise_multiplier")
    }

    public var spent: PrivacySpend {
        guard let plan, taken > 0 else { return PrivacySpend(epsilon: 0, delta: 0) }
        let value = RDPAccountant.epsilon(samplingRate: plan.samplingRate, noiseMultiplier: plan.noiseMultiplier, steps: taken, delta: delta).epsilon
        return PrivacySpend(epsilon: value, delta: delta)
    }

    public var budget: PrivacySpend { PrivacySpend(epsilon: epsilon, delta: delta) }

    public mutating func plan(examples: Int, batchSize: Int, epochs: Int, context: PluginContext) throws -> GradientPlan {
        guard plan == nil else { throw PluginError.state("dp_sgd was already planned for this run") }
        guard examples > 0, batchSize > 0, epochs > 0 else {
            throw PluginError.invalidArgument("plan() needs examples, batch size and epochs above 0 (got \(examples), \(batchSize), \(epochs))")
        }
        let q = Swift.min(1, Double(batchSize) / Double(examples))
        let steps = Int((Double(epochs) / q).rounded(.up))
        let sigma: Double
        if requestedSigma > 0 {
            sigma = requestedSigma
            let planned = RDPAccountant.epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta).epsilon
            guard planned <= epsilon else {
                throw PluginError.budget(String(format: "dp_sgd: %d steps at q = %.4g with σ = %.4g would spend ε = %.4g, over the budget ε = %.4g (δ = %.3g)",
                                                steps, q, sigma, planned, epsilon, delta))
            }
        } else {
            guard let calibrated = RDPAccountant.noiseMultiplier(forEpsilon: epsilon, samplingRate: q, steps: steps, delta: delta) else {
                throw PluginError.budget(String(format: "dp_sgd: no noise multiplier up to 10⁴ keeps %d steps at q = %.4g within ε = %.4g (δ = %.3g)",
                                                steps, q, epsilon, delta))
            }
            sigma = calibrated
        }
        let planned = GradientPlan(samplingRate: q, steps: steps, clipNorm: clipNorm, noiseMultiplier: sigma)
        plan = planned
        context.log(.info, String(format: "dp_sgd: q = %.4g, %d steps, C = %g, σ = %.4f for ε = %g, δ = %g", q, steps, clipNorm, sigma, epsilon, delta))
        return planned
    }

    public func clipFactors(_ norms: [Double]) -> [Double] {
        norms.map { $0 > clipNorm ? clipNorm / $0 : 1 }
    }

    public mutating func noise(_ sum: inout [Float], context: PluginContext) throws {
        guard let plan else { throw PluginError.state("dp_sgd: call plan() before the first step") }
        guard taken < plan.steps else {
            throw PluginError.budget("dp_sgd: step \(taken + 1) exceeds the \(plan.steps) planned; the budget ε = \(epsilon) is spent")
        }
        var random = context.random("dp_sgd.step.\(taken)")
        let scale = plan.noiseMultiplier * plan.clipNorm
        for index in sum.indices { sum[index] += Float(scale * random.nextNormal()) }
        taken += 1
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(DPSGDPrivacy.self) }
