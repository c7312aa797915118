/// The three kinds of plugin.
public enum PluginKind: String, Sendable, Codable, CaseIterable {
    case generator, privacy, validator
}

/// What a validator needs besides the real and synthetic tables.
public struct ValidatorNeeds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let holdout = ValidatorNeeds(rawValue: 1 << 0)
    public static let target = ValidatorNeeds(rawValue: 1 << 1)
}

/// Versioned ids of the capabilities that connect plugins (mirrors `SYNTH_CAP_*`).
public enum Capability {
    public static let generator = "synth.generator/1"
    public static let generatorState = "synth.generator.state/1"
    public static let validator = "synth.validator/1"
    public static let privacy = "synth.privacy/1"
    public static let privacyStatistics = "synth.privacy.statistics/1"
    public static let privacyGradient = "synth.privacy.gradient/1"
}

/// Everything the host knows about a plugin before creating it.
public struct PluginDescriptor: Sendable, Equatable {
    public var id: String
    public var name: String
    public var version: String
    public var kind: PluginKind
    public var summary: String
    public var parameters: [ParameterSpec]
    /// Generators: privacy capabilities they consume. Privacy plugins: the ones they provide.
    public var capabilities: [String]
    public var validatorNeeds: ValidatorNeeds
    /// A generator that simulates data: it needs no training table, and its columns are its own.
    public var simulates: Bool
    /// A generator that samples rows given one categorical value (`ConditionalGenerator`).
    public var samplesConditionally: Bool
    /// A generator that can save its fitted model and load it back (`PersistentGenerator`).
    public var savesModels: Bool
    /// A generator's parameter values when it is composed with a privacy plugin: the host sets
    /// each one left at its default and refuses a composition that gives another.
    public var composedParameters: [String: ParameterValue]

    public init(id: String, name: String, version: String, kind: PluginKind, summary: String,
                parameters: [ParameterSpec] = [], capabilities: [String] = [], validatorNeeds: ValidatorNeeds = [],
                simulates: Bool = false, samplesConditionally: Bool = false, savesModels: Bool = false,
                composedParameters: [String: ParameterValue] = [:]) {
        self.composedParameters = composedParameters
        self.simulates = simulates
        self.savesModels = savesModels
        self.samplesConditionally = samplesConditionally
        self.id = id
        self.name = name
        self.version = version
        self.kind = kind
        self.summary = summary
        self.parameters = parameters
        self.capabilities = capabilities
        self.validatorNeeds = validatorNeeds
    }

    /// The problems that make this descriptor unusable; empty when it is valid. The host rejects a
    /// plugin file whose descriptors are not all valid.
    public func problems() -> [String] {
        var problems: [String] = []
        if !Self.isIdentifier(id) { problems.append("id '\(id)' is not of the form [a-z][a-z0-9_]*") }
        if name.isEmpty { problems.append("descriptor '\(id)' has an empty name") }
        if !Self.isSemanticVersion(version) { problems.append("descriptor '\(id)': version '\(version)' is not MAJOR.MINOR.PATCH") }
        if summary.isEmpty { problems.append("descriptor '\(id)' has an empty summary") }
        var seen = Set<String>()
        for spec in parameters {
            if !Self.isIdentifier(spec.id) { problems.append("descriptor '\(id)': parameter id '\(spec.id)' is not of the form [a-z][a-z0-9_]*") }
            if !seen.insert(spec.id).inserted { problems.append("descriptor '\(id)': parameter '\(spec.id)' is declared twice") }
            if spec.type == .choice && spec.choices.isEmpty { problems.append("descriptor '\(id)': choice parameter '\(spec.id)' has no choices") }
            if let low = spec.minimum, let high = spec.maximum, low > high {
                problems.append("descriptor '\(id)': parameter '\(spec.id)' has min \(low) > max \(high)")
            }
            if let value = spec.defaultValue {
                do { _ = try spec.validate(value) } catch {
                    problems.append("descriptor '\(id)': default of parameter '\(spec.id)' is invalid: \(error)")
                }
            }
        }
        for (parameter, value) in composedParameters.sorted(by: { $0.key < $1.key }) {
            guard let spec = parameters.first(where: { $0.id == parameter }) else {
                problems.append("descriptor '\(id)': composed value of an unknown parameter '\(parameter)'")
                continue
            }
            do { _ = try spec.validate(value) } catch {
                problems.append("descriptor '\(id)': composed value of parameter '\(parameter)' is invalid: \(error)")
            }
        }
        for capability in capabilities where !Self.isCapabilityId(capability) {
            problems.append("descriptor '\(id)': capability '\(capability)' is not of the form name/VERSION")
        }
        return problems
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, (97...122).contains(first) else { return false }
        return text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    static func isSemanticVersion(_ text: String) -> Bool {
        let core = text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? ""
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    static func isCapabilityId(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].allSatisfy(\.isNumber) && !parts[1].isEmpty
    }
}
