import Foundation

/// Saving and loading a layer's parameters and buffers: a small binary file
/// ("SYNTHNN1", then per tensor its name, rows, columns and little-endian Float32 values),
/// written atomically.
public enum Checkpoint {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func save(_ layer: Layer, to path: String) throws {
        try encode(layer).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Loads values into a layer of the same architecture; every name and shape must match.
    public static func load(_ layer: Layer, from path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read \(path)") }
        do {
            try decode(data, into: layer)
        } catch let failure as Failure {
            throw Failure(description: "\(path): \(failure.description)")
        }
    }

    /// The layer's parameters and buffers in the checkpoint format.
    public static func encode(_ layer: Layer) -> Data {
        var data = Data("SYNTHNN1".utf8)
        let tensors = layer.namedParameters + layer.namedBuffers
        append(UInt32(tensors.count), to: &data)
        for (name, tensor) in tensors {
            let bytes = Data(name.utf8)
            append(UInt32(bytes.count), to: &data)
            data.append(bytes)
            append(UInt32(tensor.rows), to: &data)
            append(UInt32(tensor.columns), to: &data)
            for value in tensor.data { append(value.bitPattern, to: &data) }
        }
        return data
    }

    /// Loads checkpoint bytes into a layer of the same architecture; every name and shape must match.
    public static func decode(_ data: Data, into layer: Layer) throws {
        var offset = 0
        func read(_ count: Int) throws -> Data {
            guard offset + count <= data.count else { throw Failure(description: "truncated at byte \(offset)") }
            defer { offset += count }
            return data.subdata(in: (data.startIndex + offset)..<(data.startIndex + offset + count))
        }
        func readUInt32() throws -> UInt32 { try read(4).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }
        guard try read(8) == Data("SYNTHNN1".utf8) else { throw Failure(description: "not a SynthNN checkpoint") }
        let expected = layer.namedParameters + layer.namedBuffers
        let count = Int(try readUInt32())
        guard count == expected.count else { throw Failure(description: "\(count) tensors, the layer has \(expected.count)") }
        var loaded: [[Float]] = []
        for (name, tensor) in expected {
            let stored = String(decoding: try read(Int(try readUInt32())), as: UTF8.self)
            let rows = Int(try readUInt32()), columns = Int(try readUInt32())
            guard stored == name, rows == tensor.rows, columns == tensor.columns else {
                throw Failure(description: "found \(stored) \(rows)×\(columns), expected \(name) \(tensor.rows)×\(tensor.columns)")
            }
            let raw = try read(rows * columns * 4)
            loaded.append(raw.withUnsafeBytes { bytes in
                (0..<(rows * columns)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            })
        }
        for ((_, tensor), values) in zip(expected, loaded) { tensor.assign(values) }
    }

    private static func append(_ value: UInt32, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}
