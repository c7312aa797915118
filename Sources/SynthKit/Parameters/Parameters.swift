/// A complete, validated set of parameter values for one plugin: one value for every parameter of
/// its schema. Plugins read them by id; a wrong id or type is a programming error in the plugin.
public struct Parameters: Sendable, Equatable {
    public private(set) var values: [(id: String, value: ParameterValue)]

    public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
        lhs.values.elementsEqual(rhs.values) { $0.id == $1.id && $0.value == $1.value }
    }

    /// Validates `given` against `schema`, fills defaults, and orders the values as the schema.
    public init(resolving given: [String: ParameterValue], schema: [ParameterSpec], plugin: String) throws(ParameterError) {
        let known = schema.map(\.id)
        for id in given.keys.sorted() where !known.contains(id) {
            throw .unknown(id: id, plugin: plugin, known: known)
        }
        var resolved: [(id: String, value: ParameterValue)] = []
        for spec in schema {
            if let value = given[spec.id] {
                resolved.append((spec.id, try spec.validate(value)))
            } else if let value = spec.defaultValue {
                resolved.append((spec.id, value))
            } else {
                throw .missingRequired(id: spec.id, plugin: plugin)
            }
        }
        values = resolved
    }

    /// Values as they arrived over the ABI (already validated by the host).
    public init(validated values: [(id: String, value: ParameterValue)]) {
        self.values = values
    }

    public subscript(id: String) -> ParameterValue? { values.first { $0.id == id }?.value }

    public func int(_ id: String) -> Int {
        guard case .int(let v) = self[id] else { preconditionFailure("no int parameter '\(id)'") }
        return Int(v)
    }

    public func float(_ id: String) -> Double {
        switch self[id] {
        case .float(let v): return v
        case .int(let v): return Double(v)
        default: preconditionFailure("no float parameter '\(id)'")
        }
    }

    public func bool(_ id: String) -> Bool {
        guard case .bool(let v) = self[id] else { preconditionFailure("no bool parameter '\(id)'") }
        return v
    }

    public func string(_ id: String) -> String {
        guard case .string(let v) = self[id] else { preconditionFailure("no string parameter '\(id)'") }
        return v
    }
}
