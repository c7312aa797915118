import Foundation

/// A fitted model saved as JSON, for generators whose state is a `Codable` value: a first line
/// naming the plugin and the format, then the JSON. Numbers round-trip exactly (non-finite ones
/// as "inf", "-inf" and "nan"), so a restored model samples the same rows as the one saved.
public enum CodableState {
    static func magic(_ plugin: String) -> [UInt8] { Array("SYNTHKIT-STATE \(plugin) 1\n".utf8) }

    /// The JSON of a saved model: keys sorted, non-finite numbers as "inf", "-inf" and "nan".
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Reads what `encoder()` writes.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    public static func encode<State: Encodable>(_ state: State, plugin: String) throws -> [UInt8] {
        do {
            return magic(plugin) + Array(try encoder().encode(state))
        } catch {
            throw PluginError.internal("\(plugin): cannot encode the model: \(error)")
        }
    }

    public static func decode<State: Decodable>(_ type: State.Type, from bytes: [UInt8], plugin: String) throws -> State {
        let expected = magic(plugin)
        guard bytes.starts(with: expected) else {
            let firstLine = bytes.prefix(80).split(separator: UInt8(ascii: "\n"), maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            if firstLine.hasPrefix("SYNTHKIT-STATE "), let other = firstLine.split(separator: " ").dropFirst().first {
                throw PluginError.invalidArgument("the saved model is a '\(other)' model, not a \(plugin) one")
            }
            throw PluginError.invalidArgument("not a saved \(plugin) model (it does not start with its state header)")
        }
        do {
            return try decoder().decode(State.self, from: Data(bytes[expected.count...]))
        } catch {
            throw PluginError.invalidArgument("saved \(plugin) model is unreadable: \(error)")
        }
    }
}
