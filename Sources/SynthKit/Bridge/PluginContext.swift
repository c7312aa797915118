import CSynthABI
import SynthMath

public enum LogLevel: Int, Sendable {
    case debug = 0, info, warning, error
}

/// The host's services as a plugin sees them during one call: the trial's seed, logging,
/// progress, cancellation and, for generators, the composed privacy mechanism.
public struct PluginContext {
    private let host: UnsafePointer<synth_host>?
    private let detachedSeed: UInt64

    public init(host: UnsafePointer<synth_host>?) {
        self.host = host
        self.detachedSeed = 0
    }

    private init(detachedSeed: UInt64) {
        self.host = nil
        self.detachedSeed = detachedSeed
    }

    /// A context with no host behind it (for unit tests of a plugin type): logs and progress are
    /// dropped, it is never cancelled, and no privacy is composed.
    public static func detached(seed: UInt64 = 0) -> PluginContext {
        PluginContext(detachedSeed: seed)
    }

    public var seed: UInt64 { host?.pointee.seed ?? detachedSeed }

    /// A random stream for one named purpose, derived from the trial's seed.
    public func random(_ label: String) -> Philox { Philox(seed: seed).derive(label) }

    public func log(_ level: LogLevel, _ message: String) {
        guard let host, let log = host.pointee.log else { return }
        message.withCString { log(host, synth_log_level(rawValue: UInt32(level.rawValue)), $0) }
    }

    /// `fraction` in [0, 1], or nil when unknown.
    public func progress(_ fraction: Double?, _ message: String? = nil) {
        guard let host, let progress = host.pointee.progress else { return }
        if let message {
            message.withCString { progress(host, fraction ?? -1, $0) }
        } else {
            progress(host, fraction ?? -1, nil)
        }
    }

    public var isCancelled: Bool {
        guard let host, let isCancelled = host.pointee.is_cancelled else { return false }
        return isCancelled(host)
    }

    /// Throws `PluginError.cancelled` once the user asked to cancel.
    public func checkCancellation() throws {
        if isCancelled { throw PluginError.cancelled }
    }

    /// The privacy mechanism composed with this generator, if any.
    public var privacy: PrivacyClient? {
        guard let host, let instance = host.pointee.privacy else { return nil }
        return PrivacyClient(instance: instance, host: host)
    }
}

/// A composed privacy mechanism, reached through the C ABI (it may be written in any language).
public struct PrivacyClient {
    let instance: UnsafeMutablePointer<synth_instance>
    let host: UnsafePointer<synth_host>

    private func capability<T>(_ id: String, as type: T.Type) -> UnsafePointer<T>? {
        guard let lookup = instance.pointee.get_capability, let raw = lookup(instance, id) else { return nil }
        return raw.assumingMemoryBound(to: T.self)
    }

    /// What the mechanism has spent so far.
    public var spent: PrivacySpend {
        var epsilon = 0.0, delta = 0.0
        if let core = capability(Capability.privacy, as: synth_privacy_v1.self), let spent = core.pointee.spent {
            spent(instance, &epsilon, &delta)
        }
        return PrivacySpend(epsilon: epsilon, delta: delta)
    }

    /// The budget the mechanism was configured with.
    public var budget: PrivacySpend {
        var epsilon = 0.0, delta = 0.0
        if let core = capability(Capability.privacy, as: synth_privacy_v1.self), let budget = core.pointee.budget {
            budget(instance, &epsilon, &delta)
        }
        return PrivacySpend(epsilon: epsilon, delta: delta)
    }

    /// The *gradient* capability, or nil if the mechanism does not offer it.
    public var gradient: GradientPrivacyClient? {
        capability(Capability.privacyGradient, as: synth_privacy_gradient_v1.self).map {
            GradientPrivacyClient(table: $0, instance: instance, host: host)
        }
    }

    /// The *statistics* capability, or nil if the mechanism does not offer it.
    public var statistics: StatisticsPrivacyClient? {
        capability(Capability.privacyStatistics, as: synth_privacy_statistics_v1.self).map {
            StatisticsPrivacyClient(table: $0, instance: instance, host: host)
        }
    }
}

/// DP-SGD through a privacy plugin (any language).
public struct GradientPrivacyClient {
    let table: UnsafePointer<synth_privacy_gradient_v1>
    let instance: UnsafeMutablePointer<synth_instance>
    let host: UnsafePointer<synth_host>

    public func plan(examples: Int, batchSize: Int, epochs: Int) throws -> GradientPlan {
        guard let plan = table.pointee.plan else { throw PluginError.unsupported("privacy plugin has no plan function") }
        var out = synth_gradient_plan()
        out.struct_size = UInt32(MemoryLayout<synth_gradient_plan>.size)
        try callReportingErrors { plan(instance, host, UInt64(examples), UInt64(batchSize), UInt64(epochs), &out, $0) }
        return GradientPlan(samplingRate: out.sampling_rate, steps: Int(out.steps), clipNorm: out.clip_norm, noiseMultiplier: out.noise_multiplier)
    }

    public func clipFactors(_ norms: [Double]) throws -> [Double] {
        guard let clip = table.pointee.clip else { throw PluginError.unsupported("privacy plugin has no clip function") }
        var factors = [Double](repeating: 0, count: norms.count)
        try norms.withUnsafeBufferPointer { input in
            try factors.withUnsafeMutableBufferPointer { output in
                try callReportingErrors { clip(instance, host, input.baseAddress, UInt64(norms.count), output.baseAddress, $0) }
            }
        }
        return factors
    }

    public func noise(_ sum: inout [Float]) throws {
        guard let noise = table.pointee.noise else { throw PluginError.unsupported("privacy plugin has no noise function") }
        let count = sum.count
        try sum.withUnsafeMutableBufferPointer { buffer in
            try callReportingErrors { noise(instance, host, buffer.baseAddress, UInt64(count), $0) }
        }
    }
}

/// Noisy counting queries answered by a privacy plugin.
public struct StatisticsPrivacyClient {
    let table: UnsafePointer<synth_privacy_statistics_v1>
    let instance: UnsafeMutablePointer<synth_instance>
    let host: UnsafePointer<synth_host>

    /// Announce how many queries will follow, so the mechanism can split its budget.
    public func plan(queries: Int) throws {
        guard let plan = table.pointee.plan else { throw PluginError.unsupported("privacy plugin has no plan function") }
        try callReportingErrors { plan(instance, host, UInt32(queries), $0) }
    }

    /// Announce the queries that will follow with the share of the budget each gets: query i
    /// receives weights[i] / Σ weights.
    public func plan(weights: [Double]) throws {
        let offset = MemoryLayout<synth_privacy_statistics_v1>.offset(of: \synth_privacy_statistics_v1.plan_weighted)!
        guard Int(table.pointee.struct_size) > offset, let plan = table.pointee.plan_weighted else {
            throw PluginError.unsupported("the privacy plugin cannot split its budget unevenly (it has no plan_weighted)")
        }
        try weights.withUnsafeBufferPointer { buffer in
            try callReportingErrors { plan(instance, host, buffer.baseAddress, UInt32(weights.count), $0) }
        }
    }

    /// Noisy versions of `counts`, a histogram whose L1 sensitivity is `l1Sensitivity`.
    public func histogram(_ counts: [Double], l1Sensitivity: Double) throws -> [Double] {
        guard let histogram = table.pointee.histogram else { throw PluginError.unsupported("privacy plugin has no histogram function") }
        var out = [Double](repeating: 0, count: counts.count)
        try counts.withUnsafeBufferPointer { input in
            try out.withUnsafeMutableBufferPointer { output in
                try callReportingErrors {
                    histogram(instance, host, input.baseAddress, UInt64(counts.count), l1Sensitivity, output.baseAddress, $0)
                }
            }
        }
        return out
    }
}

/// Calls a C function that reports failure as a status plus a message in an error buffer, and
/// turns a failure into the matching `PluginError`.
public func callReportingErrors(_ body: (UnsafeMutablePointer<synth_error>) -> synth_status) throws(PluginError) {
    var message = [CChar](repeating: 0, count: 1024)
    let status = message.withUnsafeMutableBufferPointer { buffer -> synth_status in
        var error = synth_error(struct_size: UInt32(MemoryLayout<synth_error>.size), message: buffer.baseAddress, capacity: buffer.count)
        return body(&error)
    }
    guard status != SYNTH_OK else { return }
    let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    throw PluginError(status: status, message: text.isEmpty ? "failed without a message (status \(status.rawValue))" : text)
}

extension PluginError {
    public init(status: synth_status, message: String) {
        switch status {
        case SYNTH_ERR_INVALID_ARGUMENT: self = .invalidArgument(message)
        case SYNTH_ERR_UNSUPPORTED: self = .unsupported(message)
        case SYNTH_ERR_STATE: self = .state(message)
        case SYNTH_ERR_CANCELLED: self = .cancelled
        case SYNTH_ERR_BUDGET: self = .budget(message)
        default: self = .internal(message)
        }
    }

    public var status: synth_status {
        switch self {
        case .invalidArgument: SYNTH_ERR_INVALID_ARGUMENT
        case .unsupported: SYNTH_ERR_UNSUPPORTED
        case .state: SYNTH_ERR_STATE
        case .cancelled: SYNTH_ERR_CANCELLED
        case .budget: SYNTH_ERR_BUDGET
        case .internal: SYNTH_ERR_INTERNAL
        }
    }
}
