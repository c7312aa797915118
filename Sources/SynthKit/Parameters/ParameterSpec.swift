import Foundation

/// The types a plugin parameter can have (the C ABI's `synth_param_type`).
public enum ParameterType: String, Sendable, Codable, CaseIterable {
    case int, float, bool, choice, string
}

/// A parameter value. Choices travel as `.string`.
public enum ParameterValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .float(let v): formatDouble(v)
        case .bool(let v): v ? "true" : "false"
        case .string(let v): v
        }
    }
}

public struct ParameterFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Changes the privacy guarantee (ε, δ, ...).
    public static let privacyRelevant = ParameterFlags(rawValue: 1 << 0)
    /// Has no default: the user must give it.
    public static let required = ParameterFlags(rawValue: 1 << 1)
    public static let minExclusive = ParameterFlags(rawValue: 1 << 2)
    public static let maxExclusive = ParameterFlags(rawValue: 1 << 3)
}

/// One parameter of a plugin: the single declaration that validation, help text, completion and
/// recorded scripts all read.
public struct ParameterSpec: Sendable, Equatable {
    public var id: String
    public var type: ParameterType
    public var help: String
    public var flags: ParameterFlags
    /// nil only for required parameters.
    public var defaultValue: ParameterValue?
    /// Bounds for int and float parameters.
    public var minimum: Double?
    public var maximum: Double?
    /// The allowed values of a choice parameter.
    public var choices: [String]

    public init(id: String, type: ParameterType, help: String, flags: ParameterFlags = [],
                defaultValue: ParameterValue?, minimum: Double? = nil, maximum: Double? = nil, choices: [String] = []) {
        self.id = id
        self.type = type
        self.help = help
        self.flags = defaultValue == nil ? flags.union(.required) : flags
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.choices = choices
    }

    public static func int(_ id: String, default value: Int64?, min: Int64? = nil, max: Int64? = nil,
                           flags: ParameterFlags = [], help: String) -> ParameterSpec {
        ParameterSpec(id: id, type: .int, help: help, flags: flags, defaultValue: value.map { .int($0) },
                      minimum: min.map(Double.init), maximum: max.map(Double.init))
    }

    public static func float(_ id: String, default value: Double?, min: Double? = nil, max: Double? = nil,
                             flags: ParameterFlags = [], help: String) -> ParameterSpec {
        ParameterSpec(id: id, type: .float, help: help, flags: flags, defaultValue: value.map { .float($0) },
                      minimum: min, maximum: max)
    }

    public static func bool(_ id: String, default value: Bool, flags: ParameterFlags = [], help: String) -> ParameterSpec {
        ParameterSpec(id: id, type: .bool, help: help, flags: flags, defaultValue: .bool(value))
    }

    public static func choice(_ id: String, _ choices: [String], default value: String?,
                              flags: ParameterFlags = [], help: String) -> ParameterSpec {
        ParameterSpec(id: id, type: .choice, help: help, flags: flags, defaultValue: value.map { .string($0) },
                      choices: choices)
    }

    public static func string(_ id: String, default value: String?, flags: ParameterFlags = [], help: String) -> ParameterSpec {
        ParameterSpec(id: id, type: .string, help: help, flags: flags, defaultValue: value.map { .string($0) })
    }

    public var isRequired: Bool { flags.contains(.required) }

    /// The bounds as text: "[0, 1]", "(0, ∞)", "" when unbounded.
    public var boundsDescription: String {
        guard type == .int || type == .float, minimum != nil || maximum != nil else { return "" }
        let open = flags.contains(.minExclusive) ? "(" : "["
        let close = flags.contains(.maxExclusive) ? ")" : "]"
        let low = minimum.map { type == .int ? String(Int64($0)) : formatDouble($0) } ?? "-∞"
        let high = maximum.map { type == .int ? String(Int64($0)) : formatDouble($0) } ?? "∞"
        return "\(open)\(low), \(high)\(close)"
    }

    /// Parses a value typed by a user (`--param bins=20`, a REPL argument).
    public func parse(_ text: String) throws(ParameterError) -> ParameterValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch type {
        case .int:
            guard let value = Int64(trimmed) else { throw .wrongType(id: id, expected: type, got: text) }
            return try validate(.int(value))
        case .float:
            guard let value = CSVReader.parseNumber(trimmed) ?? CSVReader.parseInteger(trimmed, allowLeadingZero: true).map(Double.init)
            else { throw .wrongType(id: id, expected: type, got: text) }
            return try validate(.float(value))
        case .bool:
            switch trimmed.lowercased() {
            case "true", "yes", "1", "on": return .bool(true)
            case "false", "no", "0", "off": return .bool(false)
            default: throw .wrongType(id: id, expected: type, got: text)
            }
        case .choice, .string:
            return try validate(.string(trimmed))
        }
    }

    /// Checks a value's type and bounds; an int given for a float parameter is converted.
    public func validate(_ value: ParameterValue) throws(ParameterError) -> ParameterValue {
        switch (type, value) {
        case (.int, .int(let v)):
            try checkBounds(Double(v), text: String(v))
            return value
        case (.float, .float(let v)):
            guard v.isFinite else { throw .outOfBounds(id: id, value: formatDouble(v), bounds: "a finite number") }
            try checkBounds(v, text: formatDouble(v))
            return value
        case (.float, .int(let v)):
            return try validate(.float(Double(v)))
        case (.bool, .bool):
            return value
        case (.choice, .string(let v)):
            guard choices.contains(v) else { throw .notAChoice(id: id, value: v, choices: choices) }
            return value
        case (.string, .string):
            return value
        default:
            throw .wrongType(id: id, expected: type, got: value.description)
        }
    }

    private func checkBounds(_ value: Double, text: String) throws(ParameterError) {
        if let low = minimum, flags.contains(.minExclusive) ? value <= low : value < low {
            throw .outOfBounds(id: id, value: text, bounds: boundsDescription)
        }
        if let high = maximum, flags.contains(.maxExclusive) ? value >= high : value > high {
            throw .outOfBounds(id: id, value: text, bounds: boundsDescription)
        }
    }
}

public enum ParameterError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknown(id: String, plugin: String, known: [String])
    case wrongType(id: String, expected: ParameterType, got: String)
    case outOfBounds(id: String, value: String, bounds: String)
    case notAChoice(id: String, value: String, choices: [String])
    case missingRequired(id: String, plugin: String)
    case duplicate(id: String)

    public var description: String {
        switch self {
        case .unknown(let id, let plugin, let known):
            let list = known.isEmpty ? "it takes no parameters" : "its parameters: \(known.joined(separator: ", "))"
            return "'\(plugin)' has no parameter '\(id)'" + Suggest.hint(id, among: known) + " (\(list))"
        case .wrongType(let id, let expected, let got):
            return "parameter '\(id)' takes \(expected == .int ? "an" : "a") \(expected.rawValue), not '\(got)'"
        case .outOfBounds(let id, let value, let bounds):
            return "parameter '\(id)' = \(value) is outside \(bounds)"
        case .notAChoice(let id, let value, let choices):
            return "parameter '\(id)' = '\(value)' is not one of: \(choices.joined(separator: ", "))" + Suggest.hint(value, among: choices)
        case .missingRequired(let id, let plugin):
            return "'\(plugin)' needs parameter '\(id)' (it has no default)"
        case .duplicate(let id):
            return "parameter '\(id)' is given twice"
        }
    }
}
