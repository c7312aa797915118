import Foundation

/// What reading or making a table would take from memory, refused before it is taken: a process
/// that asks for more than the machine has is killed, with whatever the session held.
public enum MemoryNeeds {
    /// The machine's memory, in bytes.
    public static var machine: UInt64 { ProcessInfo.processInfo.physicalMemory }

    /// A count of bytes as people read it: "25.3 GB", "975 MB", "12 bytes".
    public static func shown(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return (value >= 100 || unit == 0 ? String(format: "%.0f", value) : String(format: "%.1f", value)) + " " + units[unit]
    }

    /// What reading CSV text takes, at most: the text, a span of 8 bytes for each field (a field
    /// ends at a delimiter or a line end, quoted or not, so their count bounds the fields), an
    /// 8-byte value and a missing flag for each, and 32 bytes of bookkeeping for each line.
    static func csvReading(_ text: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Double {
        let delimiters = ByteWords.repeating(delimiter), lineFeeds = ByteWords.repeating(0x0A)
        var fields = 1, lines = 1, index = 0
        let raw = UnsafeRawBufferPointer(text)
        while index + 8 <= text.count {
            let word = ByteWords.load(raw, at: index)
            let ends = ByteWords.count(word, lineFeeds)
            fields += ByteWords.count(word, delimiters) + ends
            lines += ends
            index += 8
        }
        for byte in text[index...] {
            if byte == delimiter { fields += 1 }
            if byte == 0x0A { fields += 1; lines += 1 }
        }
        return Double(text.count) + Double(fields) * (8 + 8 + 1) + Double(lines) * 32
    }
}
