/// ISO 8601 dates and times, without Foundation's locale and time-zone machinery: SynthLab reads
/// and writes `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (or with `T`), optionally ending in
/// `Z`, all taken as UTC and stored as microseconds since the Unix epoch.
public enum DateTimeFormat {
    /// Microseconds since the epoch, or nil if `text` is not one of the accepted forms.
    public static func parse<S: StringProtocol>(_ text: S) -> Int64? {
        let bytes = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for index in start..<(start + count) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 45, bytes[7] == 45,
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0
        var position = 10
        if position < bytes.count, bytes[position] == 32 || bytes[position] == 84 { // ' ' or 'T'
            guard let h = digits(position + 1, 2), position + 3 < bytes.count, bytes[position + 3] == 58,
                  let m = digits(position + 4, 2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            position += 6
            if position < bytes.count, bytes[position] == 58 {
                guard let s = digits(position + 1, 2), s < 60 else { return nil }
                second = s
                position += 3
                if position < bytes.count, bytes[position] == 46 { // fraction
                    var scale = 100_000, count = 0
                    position += 1
                    while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                        if count < 6 { micros += Int(bytes[position] - 48) * scale; scale /= 10 }
                        count += 1
                        position += 1
                    }
                    guard count > 0 else { return nil }
                }
            }
        }
        if position < bytes.count, bytes[position] == 90 { position += 1 } // 'Z'
        guard position == bytes.count else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        return ((days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000) + Int64(micros)
    }

    /// `YYYY-MM-DD HH:MM:SS` (with `.ffffff` when there are microseconds), or `YYYY-MM-DD` when
    /// `dateOnly` and the time is midnight.
    public static func format(microseconds: Int64, dateOnly: Bool) -> String {
        let (days, remainder) = floorDivide(microseconds, 86_400_000_000)
        let (year, month, day) = civilFromDays(Int(days))
        let date = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        if dateOnly && remainder == 0 { return date }
        let seconds = Int(remainder / 1_000_000), micros = Int(remainder % 1_000_000)
        var text = date + " " + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        if micros != 0 { text += "." + pad(micros, 6) }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b, r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Dates written another way than ISO 8601, as a pattern names them: `MM/DD/YYYY`, `DD.MM.YYYY`,
/// `MM/DD/YYYY HH:mm`. `YYYY` is a year of four digits; `MM`, `DD`, `HH` (0 to 23), `mm` and `SS`
/// take one digit or two; any other character is written as it is. A value is read only whole.
public struct DatePattern: Sendable, Equatable {
    public let format: String
    private let pieces: [Piece]

    private enum Piece: Equatable, Sendable {
        case year, month, day, hour, minute, second
        case literal(UInt8)
    }

    /// Nil when `format` is no pattern: a letter outside the fields, a field given twice, or a
    /// year, month or day missing.
    public init?(_ format: String) {
        let bytes = Array(format.utf8)
        var pieces: [Piece] = []
        var index = 0
        let fields: [(String, Piece)] = [("YYYY", .year), ("MM", .month), ("DD", .day), ("HH", .hour), ("mm", .minute), ("SS", .second)]
        scan: while index < bytes.count {
            for (name, piece) in fields where bytes[index...].starts(with: name.utf8) {
                guard !pieces.contains(piece) else { return nil }
                pieces.append(piece)
                index += name.utf8.count
                continue scan
            }
            let byte = bytes[index]
            // A letter that is no field is a mistyped one (yyyy, M, D).
            guard !(65...90).contains(byte), !(97...122).contains(byte) else { return nil }
            pieces.append(.literal(byte))
            index += 1
        }
        guard pieces.contains(.year), pieces.contains(.month), pieces.contains(.day) else { return nil }
        self.format = format
        self.pieces = pieces
    }

    public static func == (a: DatePattern, b: DatePattern) -> Bool { a.format == b.format }

    /// Microseconds since the epoch (UTC), or nil if `text` is not written as the pattern says or
    /// names no real day or time.
    public func parse<S: StringProtocol>(_ text: S) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        func number(_ least: Int, _ most: Int) -> Int? {
            var value = 0, count = 0
            while count < most, index < bytes.count, (48...57).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
                count += 1
            }
            return count >= least ? value : nil
        }
        for piece in pieces {
            switch piece {
            case .literal(let byte):
                guard index < bytes.count, bytes[index] == byte else { return nil }
                index += 1
            case .year: guard let value = number(4, 4) else { return nil }; year = value
            case .month: guard let value = number(1, 2) else { return nil }; month = value
            case .day: guard let value = number(1, 2) else { return nil }; day = value
            case .hour: guard let value = number(1, 2), value < 24 else { return nil }; hour = value
            case .minute: guard let value = number(1, 2), value < 60 else { return nil }; minute = value
            case .second: guard let value = number(1, 2), value < 60 else { return nil }; second = value
            }
        }
        guard index == bytes.count, (1...12).contains(month), day >= 1, day <= DateTimeFormat.daysIn(month: month, year: year) else { return nil }
        let days = Int64(DateTimeFormat.daysFromCivil(year: year, month: month, day: day))
        return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000
    }
}
