import Foundation
import SynthKit
import SynthMetrics

/// One `validate` run: read the real and synthetic tables (the synthetic one with the real one's
/// column kinds), run the chosen validators (all applicable ones by default).
public struct ValidationRequest: Sendable {
    public var realPath: String
    public var syntheticPath: String
    public var holdoutPath: String?
    public var validators: [String]
    public var target: String?
    /// `KEY=VALUE` or `VALIDATOR.KEY=VALUE` settings for the chosen validators.
    public var parameters: [String]
    public var csvOptions: CSVOptions
    public var seed: UInt64

    public init(realPath: String, syntheticPath: String, holdoutPath: String? = nil, validators: [String] = [],
                target: String? = nil, parameters: [String] = [], csvOptions: CSVOptions = CSVOptions(), seed: UInt64 = 0) {
        self.parameters = parameters
        self.realPath = realPath
        self.syntheticPath = syntheticPath
        self.holdoutPath = holdoutPath
        self.validators = validators
        self.target = target
        self.csvOptions = csvOptions
        self.seed = seed
    }
}

public struct MetricRecord: Codable, Sendable, Equatable {
    public var validator: String
    public var metric: String
    public var column: String?
    public var value: Double?
    public var goal: MetricGoal
    public var min: Double?
    public var max: Double?
    /// Why there is no value (then `value` is nil).
    public var notApplicable: String?

    public init(validator: String, metric: String, column: String?, value: Double?, goal: MetricGoal, min: Double?,
                max: Double?, notApplicable: String?) {
        self.validator = validator
        self.metric = metric
        self.column = column
        self.value = value
        self.goal = goal
        self.min = min
        self.max = max
        self.notApplicable = notApplicable
    }

    /// Back to the form validators report in.
    public var result: MetricResult {
        let range = (min ?? -Double.infinity)...(max ?? Double.infinity)
        let metric = if let value {
            Metric(name: self.metric, column: column, value: value, goal: goal, range: range)
        } else {
            Metric(name: self.metric, column: column, notApplicable: notApplicable ?? "no value", goal: goal, range: range)
        }
        return MetricResult(validator: validator, metric: metric)
    }

    init(_ result: MetricResult) {
        validator = result.validator
        metric = result.metric.name
        column = result.metric.column
        value = result.metric.hasValue ? result.metric.value : nil
        notApplicable = result.metric.notApplicable
        goal = result.metric.goal
        min = result.metric.range.lowerBound.isFinite ? result.metric.range.lowerBound : nil
        max = result.metric.range.upperBound.isFinite ? result.metric.range.upperBound : nil
    }

    enum CodingKeys: String, CodingKey {
        case validator, metric, column, value, goal, target, min, max
        case notApplicable = "not_applicable"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        validator = try container.decode(String.self, forKey: .validator)
        metric = try container.decode(String.self, forKey: .metric)
        column = try container.decodeIfPresent(String.self, forKey: .column)
        value = try container.decodeIfPresent(Double.self, forKey: .value)
        // A goal this build does not know reads as informational.
        goal = MetricGoal(name: try container.decode(String.self, forKey: .goal),
                          target: try container.decodeIfPresent(Double.self, forKey: .target)) ?? .none
        min = try container.decodeIfPresent(Double.self, forKey: .min)
        max = try container.decodeIfPresent(Double.self, forKey: .max)
        notApplicable = try container.decodeIfPresent(String.self, forKey: .notApplicable)
    }

    public func encode(to encoder: Encoder) throws {
        // Keys with no value are written as null, so every record has the same shape.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(validator, forKey: .validator)
        try container.encode(metric, forKey: .metric)
        try container.encode(column, forKey: .column)
        try container.encode(value, forKey: .value)
        try container.encode(goal.name, forKey: .goal)
        try container.encode(goal.target, forKey: .target)
        try container.encode(min, forKey: .min)
        try container.encode(max, forKey: .max)
        try container.encode(notApplicable, forKey: .notApplicable)
    }
}

public struct SkippedValidator: Codable, Sendable, Equatable {
    public var validator: String
    public var reason: String
}

/// A validator that ran and failed; the others' metrics are kept.
public struct FailedValidator: Codable, Sendable, Equatable {
    public var validator: String
    public var error: String
}

public struct ValidationReport: Codable, Sendable {
    public var real: String
    public var synthetic: String
    public var holdout: String?
    public var validators: [String]
    public var skipped: [SkippedValidator]
    public var failed: [FailedValidator]
    public var metrics: [MetricRecord]
    /// Wall-clock seconds: reading the tables, then each validator that ran.
    public var seconds: [String: Double]
}

public enum Validation {
    public static func run(_ request: ValidationRequest, registry: PluginRegistry, host: HostServices) throws -> ValidationReport {
        var chosen: [LoadedPlugin] = []
        var skipped: [SkippedValidator] = []
        if request.validators.isEmpty {
            let found = registry.validators(holdout: request.holdoutPath != nil, target: request.target != nil)
            chosen = found.applicable
            skipped = found.lacking.map { plugin, needs in
                SkippedValidator(validator: plugin.id, reason: needs.contains(.holdout) ? "needs a holdout table (--holdout)" : "needs a target column (--target)")
            }
            guard !chosen.isEmpty else { throw SynthLabError.invalidRequest("no validator plugin is loaded (see `synthlab plugins`)") }
        } else {
            chosen = try request.validators.map { id throws(SynthLabError) in try registry.plugin(id, kind: .validator) }
            // A validator asked for by name whose inputs are not given is refused before any table is read.
            for plugin in chosen { try Validating.checkNeeds(plugin, holdout: request.holdoutPath != nil, target: request.target != nil) }
        }

        var seconds: [String: Double] = [:]
        let readStart = DispatchTime.now()
        let real = try CSVReader.read(path: request.realPath, options: request.csvOptions)
        if let target = request.target, real.column(named: target) == nil {
            throw SynthLabError.invalidRequest("\(request.realPath): no target column '\(target)'")
        }
        let sameKinds = kindsOf(real, options: request.csvOptions)
        let synthetic = try readLike(real, path: request.syntheticPath, realPath: request.realPath, options: sameKinds)
        let holdout = try request.holdoutPath.map { path throws(SynthLabError) in
            try readLike(real, path: path, realPath: request.realPath, options: sameKinds)
        }
        seconds["read"] = elapsed(since: readStart)
        if let holdout, let overlap = RowOverlap.suspicious(holdout: holdout, real: real) {
            host.log(.warning, "\(overlap.shared) of the \(overlap.rows) rows of \(request.holdoutPath!) (\(overlap.percent) %) are rows of "
                     + "\(request.realPath) too; --holdout takes real rows the model was not fitted on")
        }
        let routed = try ParameterAssignment.route(request.parameters, to: chosen)
        var instances: [PluginInstance] = []
        for plugin in chosen { instances.append(try PluginInstance(plugin, values: routed[plugin.id] ?? [:], host: host)) }
        var metrics: [MetricRecord] = []
        var failed: [FailedValidator] = []
        for instance in instances {
            let start = DispatchTime.now()
            defer { seconds[instance.plugin.id] = elapsed(since: start) }
            do {
                let results = try Validating.run(instance, real: real, synthetic: synthetic, holdout: holdout,
                                                 target: request.target, host: host)
                metrics += results.map(MetricRecord.init)
            } catch let error as SynthLabError {
                // One validator's failure does not cost the others' results. The record names the
                // validator, so its error is the plugin's own words.
                let message: String
                if case .pluginFailed(_, "validate", let text) = error { message = text } else { message = error.description }
                failed.append(FailedValidator(validator: instance.plugin.id, error: message))
            }
        }
        return ValidationReport(real: request.realPath, synthetic: request.syntheticPath, holdout: request.holdoutPath,
                                validators: chosen.map(\.id), skipped: skipped, failed: failed, metrics: metrics, seconds: seconds)
    }

    static func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Reads another file of the real table's columns with their kinds (in any order); a file of
    /// other columns is refused with every column it lacks and has over.
    static func readLike(_ real: Table, path: String, realPath: String, options: CSVOptions) throws(SynthLabError) -> Table {
        do {
            return try CSVReader.read(path: path, options: options)
        } catch {
            guard case .unknownColumn(_, let known) = error.problem,
                  let difference = columnDifference(known, named: path, from: real.columnNames, named: realPath) else {
                throw .invalidRequest(error.description)
            }
            throw .invalidRequest(difference)
        }
    }

    /// "OTHER and REAL have different columns: OTHER lacks …; OTHER has …, which REAL does not",
    /// or nil when `other` holds the same column names (in any order).
    public static func columnDifference(_ other: [String], named otherName: String, from real: [String], named realName: String) -> String? {
        let lacking = real.filter { !other.contains($0) }
        let extra = other.filter { !real.contains($0) }
        guard !lacking.isEmpty || !extra.isEmpty else { return nil }
        var parts: [String] = []
        if !lacking.isEmpty { parts.append("\(otherName) lacks \(lacking.joined(separator: ", "))") }
        if !extra.isEmpty { parts.append("\(otherName) has \(extra.joined(separator: ", ")), which \(realName) does not") }
        return "\(otherName) and \(realName) have different columns: " + parts.joined(separator: "; ")
    }

    /// The options that read another file of the same table with the same column kinds.
    static func kindsOf(_ table: Table, options: CSVOptions) -> CSVOptions {
        var same = options
        same.kindOverrides = Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.kind) })
        return same
    }
}
