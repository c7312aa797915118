/// A place in a script or a typed line: 1-based line and column (columns count characters).
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

enum TokenKind: Equatable {
    case name(String)
    case number(Double, isInteger: Bool)
    case string(String)
    /// A string literal still open at the end of the text (only when lexing for completion).
    case openString(String)
    case symbol(Character)   // ( ) [ ] { } , : = ; -
    case newline
    case end
}

struct Token: Equatable {
    var kind: TokenKind
    var location: SourceLocation
    /// Character offsets of the token in the lexed text.
    var start: Int
    var end: Int

    var isEnd: Bool { kind == .end }

    func isSymbol(_ symbol: Character) -> Bool { kind == .symbol(symbol) }

    var name: String? {
        if case .name(let name) = kind { return name }
        return nil
    }

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .name(let name): "'\(name)'"
        case .number: "a number"
        case .string, .openString: "a string"
        case .symbol(let symbol): "'\(symbol)'"
        case .newline: "the end of the line"
        case .end: "the end of the input"
        }
    }
}

/// An error in the text or in what it asks for, with the place it points at.
public struct ShellError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var location: SourceLocation?
    /// True when the text stopped before a statement was complete: more lines may finish it.
    public var isIncomplete: Bool

    public init(_ message: String, at location: SourceLocation? = nil, incomplete: Bool = false) {
        self.message = message
        self.location = location
        self.isIncomplete = incomplete
    }

    public var description: String { message }
}
