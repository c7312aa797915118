import Foundation
import SynthKit

/// A parameter value as it appears in JSON output.
public enum JSONValue: Codable, Sendable, Equatable {
    case int(Int64), float(Double), bool(Bool), string(String)

    public init(_ value: ParameterValue) {
        switch value {
        case .int(let v): self = .int(v)
        case .float(let v): self = .float(v)
        case .bool(let v): self = .bool(v)
        case .string(let v): self = .string(v)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Int64.self) { self = .int(v) }
        else if let v = try? container.decode(Double.self) { self = .float(v) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let v): try container.encode(v)
        case .float(let v): try container.encode(v)
        case .bool(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        }
    }
}

/// The one JSON style of every `--json` output: pretty, keys sorted.
public enum JSONOutput {
    public static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
