import SynthKit

/// An expression of the session language, with the place it starts.
struct Expr: Equatable {
    indirect enum Kind: Equatable {
        case number(Double, isInteger: Bool)
        case string(String)
        /// A file path, made absolute by the evaluator (canonical statements only).
        case path(String)
        case bool(Bool)
        case name(String)
        case call(String, [Argument])
        case list([Expr])
        case record([RecordField])
        case with(Expr, Expr)
        case negate(Expr)
    }

    var kind: Kind
    var location: SourceLocation

    init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

struct Argument: Equatable {
    var label: String?
    var labelLocation: SourceLocation?
    var value: Expr
}

struct RecordField: Equatable {
    var key: String
    var keyLocation: SourceLocation
    var value: Expr
}

/// `NAME = expression` or a bare expression.
struct Statement: Equatable {
    var target: String?
    var targetLocation: SourceLocation?
    var expression: Expr
    var location: SourceLocation
}

/// The grammar is in docs/repl.md:
///
///     statements = [ statement ] { ( NEWLINE | ";" ) [ statement ] }
///     statement  = NAME "=" expression | expression
///     expression = unary { "with" unary }
///     unary      = "-" unary | primary
///     primary    = NUMBER | STRING | "true" | "false" | NAME | call | list | record | "(" expression ")"
///     call       = NAME "(" [ argument { "," argument } [ "," ] ] ")"
///     argument   = [ NAME ":" ] expression
///     list       = "[" [ expression { "," expression } [ "," ] ] "]"
///     record     = "{" [ NAME ":" expression { "," NAME ":" expression } [ "," ] ] "}"
struct Parser {
    private var tokens: [Token]
    private var position = 0
    /// How deep the expression being read nests (brackets, calls, '-', 'with'); bounded so that
    /// a generated script cannot exhaust the stack of the recursive parser and evaluator.
    private var depth = 0
    static let maximumDepth = 256

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ text: String, firstLine: Int = 1) throws(ShellError) -> [Statement] {
        var parser = Parser(tokens: try Lexer(text, firstLine: firstLine).tokens())
        do {
            return try parser.statements()
        } catch {
            // Whatever went wrong at the end of the text, more text may still set right.
            var located = error
            if parser.current.isEnd { located.isIncomplete = true }
            throw located
        }
    }

    private var current: Token { tokens[position] }
    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func unexpected(_ expected: String) -> ShellError {
        let token = current
        return ShellError("expected \(expected), found \(token.display)", at: token.location, incomplete: token.isEnd)
    }

    mutating func statements() throws(ShellError) -> [Statement] {
        var result: [Statement] = []
        while true {
            while current.kind == .newline || current.isSymbol(";") { _ = advance() }
            if current.isEnd { return result }
            result.append(try statement())
            guard current.kind == .newline || current.isSymbol(";") || current.isEnd else {
                throw unexpected("the end of the statement (a new line or ';')")
            }
        }
    }

    private mutating func statement() throws(ShellError) -> Statement {
        let start = current.location
        if let name = current.name, tokens[position + 1].isSymbol("="), !Keywords.all.contains(name) {
            _ = advance()
            _ = advance()
            guard !(current.kind == .newline || current.isEnd || current.isSymbol(";")) else {
                throw ShellError("'\(name) =' needs a value after '='", at: current.location, incomplete: current.isEnd)
            }
            return Statement(target: name, targetLocation: start, expression: try expression(), location: start)
        }
        return Statement(target: nil, targetLocation: nil, expression: try expression(), location: start)
    }

    private mutating func expression() throws(ShellError) -> Expr {
        let entry = depth
        defer { depth = entry }
        var left = try unary()
        while current.name == Keywords.with {
            let location = advance().location
            try deeper(at: location)
            let right = try unary()
            left = Expr(.with(left, right), at: location)
        }
        return left
    }

    private mutating func deeper(at location: SourceLocation) throws(ShellError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw ShellError("this expression nests more than \(Self.maximumDepth) levels deep (brackets, calls, '-' and 'with' each add one)", at: location)
        }
    }

    private mutating func unary() throws(ShellError) -> Expr {
        try deeper(at: current.location)
        defer { depth -= 1 }
        if current.isSymbol("-") {
            let location = advance().location
            return Expr(.negate(try unary()), at: location)
        }
        return try primary()
    }

    private mutating func primary() throws(ShellError) -> Expr {
        let token = current
        switch token.kind {
        case .number(let value, let isInteger):
            _ = advance()
            return Expr(.number(value, isInteger: isInteger), at: token.location)
        case .string(let text):
            _ = advance()
            return Expr(.string(text), at: token.location)
        case .name(let name):
            _ = advance()
            switch name {
            case Keywords.true: return Expr(.bool(true), at: token.location)
            case Keywords.false: return Expr(.bool(false), at: token.location)
            case Keywords.with: throw ShellError("'with' joins a generator and a privacy mechanism: GENERATOR with PRIVACY", at: token.location)
            default: break
            }
            if current.isSymbol("(") {
                _ = advance()
                return Expr(.call(name, try arguments()), at: token.location)
            }
            return Expr(.name(name), at: token.location)
        case .symbol("["):
            _ = advance()
            var items: [Expr] = []
            while !current.isSymbol("]") {
                items.append(try expression())
                if current.isSymbol(",") { _ = advance(); continue }
                guard current.isSymbol("]") else { throw unexpected("',' or ']' in a list") }
            }
            _ = advance()
            return Expr(.list(items), at: token.location)
        case .symbol("{"):
            _ = advance()
            var fields: [RecordField] = []
            while !current.isSymbol("}") {
                guard let key = current.name ?? stringKey(current) else { throw unexpected("a field name in a record ({name: value})") }
                let keyLocation = advance().location
                guard current.isSymbol(":") else { throw unexpected("':' after the field name '\(key)'") }
                _ = advance()
                if fields.contains(where: { $0.key == key }) { throw ShellError("the field '\(key)' is given twice", at: keyLocation) }
                fields.append(RecordField(key: key, keyLocation: keyLocation, value: try expression()))
                if current.isSymbol(",") { _ = advance(); continue }
                guard current.isSymbol("}") else { throw unexpected("',' or '}' in a record") }
            }
            _ = advance()
            return Expr(.record(fields), at: token.location)
        case .symbol("("):
            _ = advance()
            let inner = try expression()
            guard current.isSymbol(")") else { throw unexpected("')'") }
            _ = advance()
            return inner
        default:
            throw unexpected("a value (a number, a string, a name, a call, a list or a record)")
        }
    }

    private func stringKey(_ token: Token) -> String? {
        if case .string(let text) = token.kind { return text }
        return nil
    }

    private mutating func arguments() throws(ShellError) -> [Argument] {
        var result: [Argument] = []
        var labels = Set<String>()
        while !current.isSymbol(")") {
            if let label = current.name, tokens[position + 1].isSymbol(":") {
                let labelLocation = advance().location
                _ = advance()
                guard labels.insert(label).inserted else { throw ShellError("the argument '\(label)' is given twice", at: labelLocation) }
                result.append(Argument(label: label, labelLocation: labelLocation, value: try expression()))
            } else {
                if let last = result.last, last.label != nil {
                    throw ShellError("a positional argument cannot follow a named one", at: current.location)
                }
                result.append(Argument(label: nil, labelLocation: nil, value: try expression()))
            }
            if current.isSymbol(",") { _ = advance(); continue }
            guard current.isSymbol(")") else { throw unexpected("',' or ')' in the arguments") }
        }
        _ = advance()
        return result
    }
}

enum Keywords {
    static let with = "with"
    static let `true` = "true"
    static let `false` = "false"
    static let all: Set<String> = [with, `true`, `false`]
}

// MARK: - Canonical text

extension Expr {
    /// The statement as a recorded script writes it. `path` turns an absolute path into the text
    /// to write (relative to the script's folder).
    func canonical(path: (String) -> String = { $0 }) -> String {
        switch kind {
        case .number(let value, let isInteger):
            return isInteger ? String(Int64(value)) : formatDouble(value)
        case .string(let text):
            return quote(text)
        case .path(let absolute):
            return quote(path(absolute))
        case .bool(let value):
            return value ? "true" : "false"
        case .name(let name):
            return name
        case .call(let name, let arguments):
            let parts = arguments.map { argument in
                (argument.label.map { "\($0): " } ?? "") + argument.value.canonical(path: path)
            }
            return "\(name)(\(parts.joined(separator: ", ")))"
        case .list(let items):
            return "[" + items.map { $0.canonical(path: path) }.joined(separator: ", ") + "]"
        case .record(let fields):
            return "{" + fields.map { "\(isPlainName($0.key) ? $0.key : quote($0.key)): \($0.value.canonical(path: path))" }.joined(separator: ", ") + "}"
        case .with(let left, let right):
            return "\(left.canonical(path: path)) with \(right.canonical(path: path))"
        case .negate(let inner):
            return "-" + inner.canonical(path: path)
        }
    }
}

extension Statement {
    func canonical(path: (String) -> String = { $0 }) -> String {
        (target.map { "\($0) = " } ?? "") + expression.canonical(path: path)
    }
}

/// A string literal of the language for `text`.
func quote(_ text: String) -> String {
    var result = "\""
    for character in text {
        switch character {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        default: result.append(character)
        }
    }
    return result + "\""
}

func isPlainName(_ text: String) -> Bool {
    guard let first = text.first, first.isLetter || first == "_" else { return false }
    return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !Keywords.all.contains(text)
}
