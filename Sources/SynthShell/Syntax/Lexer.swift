/// Turns the text of statements into tokens. `#` starts a comment to the end of the line; a
/// newline ends a statement except inside brackets, where it is a blank.
struct Lexer {
    private let characters: [Character]
    private let firstLine: Int
    /// Lexing for completion: an unterminated string at the end becomes `.openString`.
    private let tolerant: Bool

    init(_ text: String, firstLine: Int = 1, tolerant: Bool = false) {
        characters = Array(text)
        self.firstLine = firstLine
        self.tolerant = tolerant
    }

    func tokens() throws(ShellError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        var line = firstLine
        var lineStart = 0
        var depth = 0
        func location(_ offset: Int) -> SourceLocation { SourceLocation(line: line, column: offset - lineStart + 1) }

        while index < characters.count {
            let character = characters[index]
            let start = index
            if character == "\n" {
                if depth == 0 { tokens.append(Token(kind: .newline, location: location(index), start: start, end: start + 1)) }
                index += 1
                line += 1
                lineStart = index
                continue
            }
            if character.isWhitespace { index += 1; continue }
            if character == "#" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
                continue
            }
            if character.isLetter || character == "_" {
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                    index += 1
                }
                tokens.append(Token(kind: .name(String(characters[start..<index])), location: location(start), start: start, end: index))
                continue
            }
            if character.isASCII, character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isASCII && characters[index + 1].isNumber) {
                let (value, isInteger, next) = try number(at: index, location: location(start))
                index = next
                tokens.append(Token(kind: .number(value, isInteger: isInteger), location: location(start), start: start, end: index))
                continue
            }
            if character == "\"" {
                var text = ""
                index += 1
                var closed = false
                while index < characters.count {
                    let c = characters[index]
                    if c == "\"" { closed = true; index += 1; break }
                    if c == "\n" { break }
                    if c == "\\" {
                        guard index + 1 < characters.count else { break }
                        let escaped = characters[index + 1]
                        switch escaped {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        case "\"", "\\": text.append(escaped)
                        default:
                            throw ShellError("unknown escape '\\\(escaped)' in a string (use \\\", \\\\, \\n or \\t)", at: location(index))
                        }
                        index += 2
                        continue
                    }
                    text.append(c)
                    index += 1
                }
                if !closed {
                    if tolerant && index == characters.count {
                        tokens.append(Token(kind: .openString(text), location: location(start), start: start, end: index))
                        continue
                    }
                    throw ShellError("this string has no closing quote", at: location(start))
                }
                tokens.append(Token(kind: .string(text), location: location(start), start: start, end: index))
                continue
            }
            if "()[]{},:=;-".contains(character) {
                switch character {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                default: break
                }
                tokens.append(Token(kind: .symbol(character), location: location(start), start: start, end: start + 1))
                index += 1
                continue
            }
            if character == "." {
                throw ShellError("'.' starts a shell command only at the beginning of a line (try .help)", at: location(start))
            }
            if "+*/^%".contains(character) {
                throw ShellError("unexpected '\(character)': the language has no arithmetic; write the number itself", at: location(start))
            }
            throw ShellError("unexpected character '\(character)'", at: location(start))
        }
        tokens.append(Token(kind: .end, location: location(index), start: index, end: index))
        return tokens
    }

    private func number(at start: Int, location: SourceLocation) throws(ShellError) -> (Double, Bool, Int) {
        var index = start
        var isInteger = true
        func digits() { while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 } }
        digits()
        if index + 1 < characters.count, characters[index] == ".", characters[index + 1] == "." {
            // `1..3` or `1...3`, as other languages write a range.
            var next = index
            while next < characters.count, characters[next] == "." { next += 1 }
            let end = next
            while next < characters.count, characters[next].isASCII, characters[next].isNumber { next += 1 }
            let low = String(characters[start..<index]), high = String(characters[end..<next])
            throw ShellError("'\(String(characters[start..<next]))': the language has no range operator; write range(\(low), \(high.isEmpty ? "TO" : high))",
                             at: location)
        }
        if index < characters.count, characters[index] == "." {
            isInteger = false
            index += 1
            digits()
        }
        if index < characters.count, characters[index] == "e" || characters[index] == "E" {
            var next = index + 1
            if next < characters.count, characters[next] == "+" || characters[next] == "-" { next += 1 }
            if next < characters.count, characters[next].isASCII, characters[next].isNumber {
                isInteger = false
                index = next
                digits()
            }
        }
        if index < characters.count, characters[index].isLetter || characters[index] == "_" {
            throw ShellError("a number runs into '\(characters[index])'", at: location)
        }
        let text = String(characters[start..<index])
        guard let value = Double(text), value.isFinite else { throw ShellError("'\(text)' is not a number", at: location) }
        if isInteger, value > 9.007_199_254_740_992e15 {
            throw ShellError("the integer \(text) is too large", at: location)
        }
        return (value, isInteger, index)
    }
}
