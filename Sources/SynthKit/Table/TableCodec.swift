import Foundation

/// A table in bytes and back, exactly: every value's bits, the missing flags, and each
/// categorical column's levels in their order. It carries tables between the processes of one
/// machine (a validator run in a worker process); it is not an archive format.
///
/// Layout (little-endian): "SLTB", format 1 (u32), columns (u32), rows (u64); then per column:
/// its name (u32 length, UTF-8), its kind (u8, the index in `ColumnKind.allCases`), a missing
/// flag per row (u8 each, or none when the column has no missing cell: a u8 0/1 says which),
/// then the values: continuous as f64 bit patterns, integer and datetime as i64, boolean as u8,
/// categorical as the level count (u32), each level (u32 length, UTF-8), and an i32 code per row.
public enum TableCodec {
    static let magic: [UInt8] = Array("SLTB".utf8)
    static let format: UInt32 = 1

    public static func encode(_ table: Table) -> [UInt8] {
        var out = magic
        put(format, &out)
        put(UInt32(table.columns.count), &out)
        put(UInt64(table.rowCount), &out)
        for column in table.columns {
            putText(column.name, &out)
            out.append(UInt8(ColumnKind.allCases.firstIndex(of: column.kind)!))
            let hasMissing = column.missingCount > 0
            out.append(hasMissing ? 1 : 0)
            if hasMissing { out += (0..<table.rowCount).map { column.isMissing($0) ? 1 : 0 } }
            switch column.values {
            case .continuous(let values): for value in values { put(value.bitPattern, &out) }
            case .integer(let values), .datetime(let values): for value in values { put(UInt64(bitPattern: value), &out) }
            case .boolean(let values): out += values.map { $0 ? 1 : 0 }
            case .categorical(let codes, let levels):
                put(UInt32(levels.count), &out)
                for level in levels { putText(level, &out) }
                for code in codes { put(UInt32(bitPattern: code), &out) }
            }
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(TableCodecError) -> Table {
        var reader = Reader(bytes: bytes)
        guard bytes.starts(with: magic) else { throw TableCodecError("not a table (no SLTB header)") }
        reader.offset = magic.count
        let version = try reader.u32()
        guard version == format else { throw TableCodecError("table format \(version), expected \(format)") }
        let columnCount = Int(try reader.u32())
        let rows = try reader.u64()
        guard rows <= UInt64(bytes.count) else { throw TableCodecError("\(rows) rows cannot fit in \(bytes.count) bytes") }
        let rowCount = Int(rows)
        var columns: [Column] = []
        for _ in 0..<columnCount {
            let name = try reader.text()
            let kindIndex = Int(try reader.u8())
            guard kindIndex < ColumnKind.allCases.count else { throw TableCodecError("column '\(name)': kind \(kindIndex) unknown") }
            var missing: [Bool] = []
            if try reader.u8() == 1 { missing = try reader.take(rowCount).map { $0 != 0 } }
            let values: ColumnValues
            switch ColumnKind.allCases[kindIndex] {
            case .continuous: values = .continuous(try (0..<rowCount).map { _ throws(TableCodecError) in Double(bitPattern: try reader.u64()) })
            case .integer: values = .integer(try (0..<rowCount).map { _ throws(TableCodecError) in Int64(bitPattern: try reader.u64()) })
            case .datetime: values = .datetime(try (0..<rowCount).map { _ throws(TableCodecError) in Int64(bitPattern: try reader.u64()) })
            case .boolean: values = .boolean(try reader.take(rowCount).map { $0 != 0 })
            case .categorical:
                let levelCount = Int(try reader.u32())
                guard levelCount <= bytes.count else { throw TableCodecError("column '\(name)': \(levelCount) levels cannot fit") }
                let levels = try (0..<levelCount).map { _ throws(TableCodecError) in try reader.text() }
                let codes = try (0..<rowCount).map { _ throws(TableCodecError) in Int32(bitPattern: try reader.u32()) }
                if let bad = codes.first(where: { $0 < 0 || (Int($0) >= levels.count && !levels.isEmpty) || (levels.isEmpty && $0 != 0) }) {
                    throw TableCodecError("column '\(name)': code \(bad) outside its \(levels.count) levels")
                }
                values = .categorical(codes: codes, levels: levels)
            }
            columns.append(Column(name: name, values: values, missing: missing))
        }
        guard reader.offset == bytes.count else { throw TableCodecError("\(bytes.count - reader.offset) bytes after the last column") }
        do {
            return try Table(columns: columns)
        } catch {
            throw TableCodecError(error.description)
        }
    }

    private static func put<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    private static func putText(_ text: String, _ out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        put(UInt32(bytes.count), &out)
        out += bytes
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) throws(TableCodecError) -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - offset else { throw TableCodecError("cut short at byte \(offset)") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(TableCodecError) -> T {
            let slice = try take(MemoryLayout<T>.size)
            return slice.reversed().reduce(T.zero) { ($0 << 8) | T($1) }
        }

        mutating func u8() throws(TableCodecError) -> UInt8 { try integer(UInt8.self) }
        mutating func u32() throws(TableCodecError) -> UInt32 { try integer(UInt32.self) }
        mutating func u64() throws(TableCodecError) -> UInt64 { try integer(UInt64.self) }

        mutating func text() throws(TableCodecError) -> String {
            let count = Int(try u32())
            return String(decoding: try take(count), as: UTF8.self)
        }
    }
}

public struct TableCodecError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
