import ArgumentParser
import Foundation
import SynthMath

struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy", abstract: "Plan a private run before starting it.", subcommands: [EpsilonCommand.self])

    struct EpsilonCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "epsilon",
            abstract: "ε of DP-SGD for a sampling rate, noise multiplier, steps and δ; or, given --epsilon, the noise multiplier that spends it.")

        @Option(help: "The mechanism (dp_sgd: the Poisson-subsampled Gaussian, RDP accountant).") var mechanism: String = "dp_sgd"
        @Option(name: .customLong("sampling-rate"), help: "q: the probability that an example joins a step's batch.") var samplingRate: Double
        @Option(name: .customLong("noise-multiplier"), help: "σ: the noise standard deviation over the clipping norm.") var noiseMultiplier: Double?
        @Option(help: "The target ε, to get the noise multiplier instead.") var epsilon: Double?
        @Option(help: "T: the number of steps.") var steps: Int
        @Option(help: "δ of the (ε, δ) guarantee.") var delta: Double
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard mechanism == "dp_sgd" else { throw ValidationError("unknown mechanism '\(mechanism)' (available: dp_sgd)") }
            guard samplingRate > 0, samplingRate <= 1 else { throw ValidationError("--sampling-rate must be in (0, 1], got \(samplingRate)") }
            guard steps > 0 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
            guard delta > 0, delta < 1 else { throw ValidationError("--delta must be in (0, 1), got \(delta)") }
            switch (noiseMultiplier, epsilon) {
            case (nil, nil), (.some, .some): throw ValidationError("give exactly one of --noise-multiplier and --epsilon")
            case (let sigma?, nil) where sigma <= 0: throw ValidationError("--noise-multiplier must be above 0, got \(sigma)")
            case (nil, let target?) where target <= 0: throw ValidationError("--epsilon must be above 0, got \(target)")
            default: break
            }
        }

        func run() throws {
            try reportingErrors {
                var sigma = noiseMultiplier ?? 0
                if let target = epsilon {
                    guard let calibrated = RDPAccountant.noiseMultiplier(forEpsilon: target, samplingRate: samplingRate, steps: steps, delta: delta) else {
                        throw CLIError("no noise multiplier up to 10000 keeps \(steps) steps at q = \(samplingRate) within epsilon = \(target) (delta = \(delta))")
                    }
                    sigma = calibrated
                }
                let (value, order) = RDPAccountant.epsilon(samplingRate: samplingRate, noiseMultiplier: sigma, steps: steps, delta: delta)
                if json {
                    return try printJSON(Result(mechanism: mechanism, samplingRate: samplingRate, noiseMultiplier: sigma, steps: steps,
                                                delta: delta, epsilon: value, order: order))
                }
                if let target = epsilon {
                    print(String(format: "noise multiplier = %.6g (spends epsilon = %.6g of %g at delta = %g, q = %g, %d steps)", sigma, value, target, delta, samplingRate, steps))
                } else {
                    print(String(format: "epsilon = %.6g (delta = %g, q = %g, sigma = %g, %d steps; best RDP order %g)", value, delta, samplingRate, sigma, steps, order))
                }
            }
        }
    }

    struct Result: Encodable {
        var mechanism: String
        var samplingRate: Double
        var noiseMultiplier: Double
        var steps: Int
        var delta: Double
        var epsilon: Double
        var order: Double

        enum CodingKeys: String, CodingKey {
            case mechanism, steps, delta, epsilon, order
            case samplingRate = "sampling_rate", noiseMultiplier = "noise_multiplier"
        }
    }
}
