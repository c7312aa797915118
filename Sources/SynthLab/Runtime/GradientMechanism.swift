import CSynthABI
import SynthKit

/// A privacy instance's *gradient* capability (DP-SGD) driven from the host, as a generator
/// drives it: to audit a mechanism (clipping, noise, accounting) without training a model.
public struct GradientMechanism {
    public let instance: PluginInstance
    public let host: HostServices

    public init(_ instance: PluginInstance, host: HostServices) throws(SynthLabError) {
        guard instance.plugin.descriptor.capabilities.contains(Capability.privacyGradient),
              instance.capability(Capability.privacyGradient, as: synth_privacy_gradient_v1.self) != nil else {
            throw .invalidRequest("'\(instance.plugin.id)' does not offer \(Capability.privacyGradient)")
        }
        self.instance = instance
        self.host = host
    }

    private func call<T>(_ operation: String, _ body: (GradientPrivacyClient) throws -> T) throws -> T {
        try host.withHost(privacy: instance) { pointer in
            guard let client = PluginContext(host: pointer).privacy?.gradient else {
                throw SynthLabError.invalidRequest("'\(instance.plugin.id)' does not offer \(Capability.privacyGradient)")
            }
            do {
                return try body(client)
            } catch let error as PluginError {
                throw SynthLabError.pluginFailed(plugin: instance.plugin.id, operation: operation, message: error.description)
            }
        }
    }

    public func plan(examples: Int, batchSize: Int, epochs: Int) throws -> GradientPlan {
        try call("plan") { try $0.plan(examples: examples, batchSize: batchSize, epochs: epochs) }
    }

    public func clipFactors(_ norms: [Double]) throws -> [Double] {
        try call("clip") { try $0.clipFactors(norms) }
    }

    public func noise(_ sum: inout [Float]) throws {
        var values = sum
        try call("noise") { try $0.noise(&values) }
        sum = values
    }

    public var spent: PrivacySpend { PrivacyAccount.spent(instance) }
}
