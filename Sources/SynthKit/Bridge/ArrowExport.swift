import CSynthABI
import Foundation

/// Table → Arrow C Data Interface. Every exported array and schema owns its memory through a
/// reference-counted node held in `private_data`; its release callback releases its children,
/// then its node, then marks itself released, as the Arrow specification requires.
public enum ArrowExport {
    /// Fills `schema` and `array` with `table` as a struct array. The caller owns both and must
    /// call their release callbacks exactly once.
    public static func export(_ table: Table, schema: UnsafeMutablePointer<ArrowSchema>, array: UnsafeMutablePointer<ArrowArray>) {
        let schemaNode = SchemaNode(format: "+s", name: "", flags: 0)
        let arrayNode = ArrayNode(length: table.rowCount, nullCount: 0, buffers: [nil])
        for column in table.columns {
            let (childSchema, childArray) = exportColumn(column)
            schemaNode.children.append(childSchema)
            arrayNode.children.append(childArray)
        }
        schemaNode.install(into: schema)
        arrayNode.install(into: array)
    }

    private static func exportColumn(_ column: Column) -> (SchemaNode, ArrayNode) {
        let nullable = Int64(ARROW_FLAG_NULLABLE)
        let validity = column.missing.isEmpty ? nil : bitmap(column.missing.map { !$0 })
        let nulls = column.missingCount
        switch column.values {
        case .continuous(let values):
            return (SchemaNode(format: "g", name: column.name, flags: nullable),
                    ArrayNode(length: values.count, nullCount: nulls, buffers: [validity, copy(values)]))
        case .integer(let values):
            return (SchemaNode(format: "l", name: column.name, flags: nullable),
                    ArrayNode(length: values.count, nullCount: nulls, buffers: [validity, copy(values)]))
        case .datetime(let values):
            return (SchemaNode(format: "tsu:", name: column.name, flags: nullable),
                    ArrayNode(length: values.count, nullCount: nulls, buffers: [validity, copy(values)]))
        case .boolean(let values):
            return (SchemaNode(format: "b", name: column.name, flags: nullable),
                    ArrayNode(length: values.count, nullCount: nulls, buffers: [validity, bitmap(values)]))
        case .categorical(let codes, let levels):
            let schema = SchemaNode(format: "i", name: column.name, flags: nullable)
            schema.dictionary = SchemaNode(format: "u", name: "", flags: 0)
            let array = ArrayNode(length: codes.count, nullCount: nulls, buffers: [validity, copy(codes)])
            var offsets: [Int32] = [0]
            var bytes: [UInt8] = []
            for level in levels {
                bytes.append(contentsOf: level.utf8)
                offsets.append(Int32(bytes.count))
            }
            array.dictionary = ArrayNode(length: levels.count, nullCount: 0, buffers: [nil, copy(offsets), copy(bytes)])
            return (schema, array)
        }
    }

    private static func copy<T>(_ values: [T]) -> UnsafeMutableRawPointer {
        // Arrow recommends 64-byte alignment; a zero-length buffer still gets a valid pointer.
        let byteCount = max(values.count * MemoryLayout<T>.stride, 1)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        values.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.copyMemory(from: base, byteCount: source.count) }
        }
        return buffer
    }

    private static func bitmap(_ bits: [Bool]) -> UnsafeMutableRawPointer {
        var bytes = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit { bytes[index >> 3] |= 1 << UInt8(index & 7) }
        return copy(bytes)
    }
}

/// Owns the memory of one exported ArrowSchema.
final class SchemaNode {
    let format: UnsafeMutablePointer<CChar>
    let name: UnsafeMutablePointer<CChar>
    let flags: Int64
    var children: [SchemaNode] = []
    var dictionary: SchemaNode?
    private var childPointers: UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>?
    private var childStructs: [UnsafeMutablePointer<ArrowSchema>] = []
    private var dictionaryStruct: UnsafeMutablePointer<ArrowSchema>?

    init(format: String, name: String, flags: Int64) {
        self.format = strdup(format)
        self.name = strdup(name)
        self.flags = flags
    }

    func install(into target: UnsafeMutablePointer<ArrowSchema>) {
        if !children.isEmpty {
            let pointers = UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>.allocate(capacity: children.count)
            for (index, child) in children.enumerated() {
                let slot = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
                child.install(into: slot)
                childStructs.append(slot)
                pointers[index] = slot
            }
            childPointers = pointers
        }
        if let dictionary {
            let slot = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            dictionary.install(into: slot)
            dictionaryStruct = slot
        }
        target.pointee = ArrowSchema(
            format: UnsafePointer(format), name: UnsafePointer(name), metadata: nil, flags: flags,
            n_children: Int64(children.count), children: childPointers, dictionary: dictionaryStruct,
            release: releaseExportedSchema, private_data: Unmanaged.passRetained(self).toOpaque())
    }

    deinit {
        free(format)
        free(name)
        childStructs.forEach { $0.deallocate() }
        childPointers?.deallocate()
        dictionaryStruct?.deallocate()
    }
}

/// Owns the memory of one exported ArrowArray.
final class ArrayNode {
    let length: Int
    let nullCount: Int
    let buffers: [UnsafeMutableRawPointer?]
    var children: [ArrayNode] = []
    var dictionary: ArrayNode?
    private let bufferList: UnsafeMutablePointer<UnsafeRawPointer?>
    private var childPointers: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>?
    private var childStructs: [UnsafeMutablePointer<ArrowArray>] = []
    private var dictionaryStruct: UnsafeMutablePointer<ArrowArray>?

    init(length: Int, nullCount: Int, buffers: [UnsafeMutableRawPointer?]) {
        self.length = length
        self.nullCount = nullCount
        self.buffers = buffers
        bufferList = .allocate(capacity: max(buffers.count, 1))
        for (index, buffer) in buffers.enumerated() { bufferList[index] = UnsafeRawPointer(buffer) }
    }

    func install(into target: UnsafeMutablePointer<ArrowArray>) {
        if !children.isEmpty {
            let pointers = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: children.count)
            for (index, child) in children.enumerated() {
                let slot = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
                child.install(into: slot)
                childStructs.append(slot)
                pointers[index] = slot
            }
            childPointers = pointers
        }
        if let dictionary {
            let slot = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
            dictionary.install(into: slot)
            dictionaryStruct = slot
        }
        target.pointee = ArrowArray(
            length: Int64(length), null_count: Int64(nullCount), offset: 0, n_buffers: Int64(buffers.count),
            n_children: Int64(children.count),
            buffers: bufferList,
            children: childPointers, dictionary: dictionaryStruct,
            release: releaseExportedArray, private_data: Unmanaged.passRetained(self).toOpaque())
    }

    deinit {
        buffers.forEach { $0?.deallocate() }
        bufferList.deallocate()
        childStructs.forEach { $0.deallocate() }
        childPointers?.deallocate()
        dictionaryStruct?.deallocate()
    }
}

private func releaseExportedSchema(_ schema: UnsafeMutablePointer<ArrowSchema>?) {
    guard let schema, schema.pointee.release != nil else { return }
    if let children = schema.pointee.children {
        for index in 0..<Int(schema.pointee.n_children) {
            if let child = children[index], let release = child.pointee.release { release(child) }
        }
    }
    if let dictionary = schema.pointee.dictionary, let release = dictionary.pointee.release { release(dictionary) }
    if let data = schema.pointee.private_data { Unmanaged<SchemaNode>.fromOpaque(data).release() }
    schema.pointee.release = nil
}

private func releaseExportedArray(_ array: UnsafeMutablePointer<ArrowArray>?) {
    guard let array, array.pointee.release != nil else { return }
    if let children = array.pointee.children {
        for index in 0..<Int(array.pointee.n_children) {
            if let child = children[index], let release = child.pointee.release { release(child) }
        }
    }
    if let dictionary = array.pointee.dictionary, let release = dictionary.pointee.release { release(dictionary) }
    if let data = array.pointee.private_data { Unmanaged<ArrayNode>.fromOpaque(data).release() }
    array.pointee.release = nil
}
