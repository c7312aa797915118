import CSynthABI
import SynthKit

/// One metric as the host records it: which validator reported it, and everything it said.
public struct MetricResult: Sendable, Equatable {
    public var validator: String
    public var metric: Metric
}

/// Runs a validator instance over real, synthetic and (optionally) holdout tables.
public enum Validating {
    /// Refuses a validator whose holdout or target is not given, naming every one it lacks.
    public static func checkNeeds(_ plugin: LoadedPlugin, holdout: Bool, target: Bool) throws(SynthLabError) {
        let needs = plugin.descriptor.validatorNeeds
        var lacking: [String] = []
        if needs.contains(.holdout), !holdout { lacking.append("a holdout table (give --holdout)") }
        if needs.contains(.target), !target { lacking.append("a target column (give --target)") }
        if !lacking.isEmpty { throw .invalidRequest("validator '\(plugin.id)' needs \(lacking.joined(separator: " and "))") }
    }

    public static func run(_ instance: PluginInstance, real: Table, synthetic: Table, holdout: Table? = nil,
                           target: String? = nil, host: HostServices) throws -> [MetricResult] {
        let id = instance.plugin.id
        guard let interface = instance.capability(Capability.validator, as: synth_validator_v1.self) else {
            throw SynthLabError.wrongKind(id: id, expected: .validator, actual: instance.plugin.kind)
        }
        try checkNeeds(instance.plugin, holdout: holdout != nil, target: target != nil)
        let collector = MetricCollector(validator: id)
        try withArrow(real) { realSchema, realArray in
            try withArrow(synthetic) { syntheticSchema, syntheticArray in
                try withOptionalArrow(holdout) { holdoutSchema, holdoutArray in
                    try withOptionalCString(target) { targetName in
                        var input = synth_validation_input(
                            struct_size: UInt32(MemoryLayout<synth_validation_input>.size),
                            real_schema: realSchema, real: realArray, synthetic_schema: syntheticSchema,
                            synthetic: syntheticArray, holdout_schema: holdoutSchema, holdout: holdoutArray, target: targetName)
                        try host.withHost { hostPointer in
                            try callPlugin(id, "validate") { error in
                                interface.pointee.validate(instance.pointer, hostPointer, &input, collectMetric,
                                                           Unmanaged.passUnretained(collector).toOpaque(), error)
                            }
                        }
                    }
                }
            }
        }
        if let problem = collector.problem { throw SynthLabError.badOutput(plugin: id, message: problem) }
        return collector.results
    }
}

private final class MetricCollector {
    let validator: String
    var results: [MetricResult] = []
    var problem: String?
    init(validator: String) { self.validator = validator }
}

private func collectMetric(_ context: UnsafeMutableRawPointer?, _ metric: UnsafePointer<synth_metric>?) {
    guard let context, let metric else { return }
    let collector = Unmanaged<MetricCollector>.fromOpaque(context).takeUnretainedValue()
    let raw = metric.pointee
    // The first release of the struct ended at `max`; `not_applicable` is read only when present.
    let firstRelease = MemoryLayout<synth_metric>.offset(of: \synth_metric.not_applicable)!
    guard Int(raw.struct_size) >= firstRelease, let name = raw.name else {
        collector.problem = collector.problem ?? "a metric without a name or with a short struct"
        return
    }
    let low = raw.min.isNaN ? -Double.infinity : raw.min
    let high = raw.max.isNaN ? Double.infinity : raw.max
    guard low <= high else {
        collector.problem = collector.problem ?? "metric '\(String(cString: name))' has range [\(low), \(high)]"
        return
    }
    // `target` came after `not_applicable`: a struct that ends before it has no nearest goal.
    let hasTarget = Int(raw.struct_size) >= MemoryLayout<synth_metric>.offset(of: \synth_metric.target)! + MemoryLayout<Double>.size
    let goal: MetricGoal
    switch raw.goal {
    case SYNTH_GOAL_MAXIMIZE: goal = .maximize
    case SYNTH_GOAL_MINIMIZE: goal = .minimize
    case SYNTH_GOAL_NEAREST where hasTarget:
        guard raw.target.isFinite, raw.target >= low, raw.target <= high else {
            collector.problem = collector.problem ?? "metric '\(String(cString: name))' has the goal nearest \(raw.target), outside its range [\(low), \(high)]"
            return
        }
        goal = .nearest(raw.target)
    default: goal = .none
    }
    let metricName = String(cString: name), column = raw.column.map { String(cString: $0) }
    var reason: String?
    if Int(raw.struct_size) >= MemoryLayout<synth_metric>.offset(of: \synth_metric.not_applicable)! + MemoryLayout<UnsafePointer<CChar>?>.size,
       let text = raw.not_applicable { reason = String(cString: text) }
    if reason == nil, !raw.value.isFinite { reason = "the validator gave no finite value (\(raw.value)) and no reason" }
    let recorded = if let reason {
        Metric(name: metricName, column: column, notApplicable: reason, goal: goal, range: low...high)
    } else {
        Metric(name: metricName, column: column, value: raw.value, goal: goal, range: low...high)
    }
    collector.results.append(MetricResult(validator: collector.validator, metric: recorded))
}

private func withOptionalArrow<T>(_ table: Table?, _ body: (UnsafePointer<ArrowSchema>?, UnsafePointer<ArrowArray>?) throws -> T) rethrows -> T {
    guard let table else { return try body(nil, nil) }
    return try withArrow(table) { try body($0, $1) }
}

private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) throws -> T) rethrows -> T {
    guard let text else { return try body(nil) }
    return try text.withCString { try body($0) }
}
