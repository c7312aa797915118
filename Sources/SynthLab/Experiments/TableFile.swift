import Foundation
import SynthKit

/// Tables on their way to and from worker processes: `TableCodec` files, read back bit for bit
/// (every value, missing flag and category order).
enum TableFile {
    static func write(_ table: Table, to path: String) throws {
        try Data(TableCodec.encode(table)).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> Table {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SynthLabError.invalidRequest("cannot read the table \(path)")
        }
        do { return try TableCodec.decode(Array(data)) } catch {
            throw SynthLabError.invalidRequest("\(path): \(error.description)")
        }
    }
}
