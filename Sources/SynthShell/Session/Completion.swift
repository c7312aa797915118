import Foundation
import SynthKit
import SynthLab

/// What Tab does: text to insert at the cursor, or candidates to list when the choice is open.
public struct Completion: Equatable {
    public var insert: String
    public var candidates: [String]
}

/// Tab completion from the live session: command words, functions, plugin ids, the parameters of
/// the plugin or function being called and their choices, bound names, column names of bound
/// tables, and file paths inside string literals.
public struct Completer {
    let session: Session

    public init(session: Session) { self.session = session }

    private struct Candidate {
        var text: String
        var suffix: String
    }

    /// `before` is the text of the statement up to the cursor (earlier lines of an unfinished
    /// statement included).
    public func complete(_ before: String) -> Completion {
        if ShellCommands.isCommand(before) { return completeCommand(before) }
        guard let tokens = try? Lexer(before, tolerant: true).tokens(), let last = tokens.dropLast().last ?? tokens.last else {
            return Completion(insert: "", candidates: [])
        }
        var context = Array(tokens.dropLast())   // without .end
        if case .openString(let content) = last.kind {
            context.removeLast()
            return completeString(content, context: context)
        }
        var prefix = ""
        if case .name(let name) = last.kind, last.end == before.count {
            prefix = name
            context.removeLast()
        } else if case .number = last.kind, last.end == before.count {
            return Completion(insert: "", candidates: [])
        }
        return finish(prefix: prefix, candidates: expressionCandidates(context: context))
    }

    // MARK: Contexts

    /// The innermost open call: its callee and the tokens inside it.
    private func openCall(_ tokens: [Token]) -> (callee: String, openIndex: Int)? {
        var stack: [Int] = []
        for (index, token) in tokens.enumerated() {
            switch token.kind {
            case .symbol("("), .symbol("["), .symbol("{"): stack.append(index)
            case .symbol(")"), .symbol("]"), .symbol("}"): _ = stack.popLast()
            default: break
            }
        }
        guard let open = stack.last(where: { tokens[$0].isSymbol("(") }), open > 0, let callee = tokens[open - 1].name else { return nil }
        return (callee, open)
    }

    private func innermostOpen(_ tokens: [Token]) -> Token? {
        var stack: [Token] = []
        for token in tokens {
            switch token.kind {
            case .symbol("("), .symbol("["), .symbol("{"): stack.append(token)
            case .symbol(")"), .symbol("]"), .symbol("}"): _ = stack.popLast()
            default: break
            }
        }
        return stack.last
    }

    /// The argument name whose value is being typed: `name:` at the top level of the open call.
    private func currentArgument(_ tokens: [Token], call: (callee: String, openIndex: Int)) -> String? {
        var depth = 0
        var label: String?
        var index = call.openIndex + 1
        var positional = 0
        var sawValue = false
        while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .symbol("("), .symbol("["), .symbol("{"): depth += 1; sawValue = true
            case .symbol(")"), .symbol("]"), .symbol("}"): depth -= 1
            case .symbol(","):
                if depth == 0 {
                    if label == nil, sawValue { positional += 1 }
                    label = nil
                    sawValue = false
                }
            case .symbol(":"):
                if depth == 0, index > 0, let name = tokens[index - 1].name { label = name; sawValue = false }
            default:
                if depth == 0 { sawValue = true }
            }
            index += 1
        }
        if let label { return label }
        if let builtin = Builtins.named(call.callee), positional < builtin.parameters.count {
            return builtin.parameters[positional].name
        }
        return nil
    }

    private func givenLabels(_ tokens: [Token], call: (callee: String, openIndex: Int)) -> Set<String> {
        var labels = Set<String>(), depth = 0
        for index in (call.openIndex + 1)..<max(call.openIndex + 1, tokens.count) {
            let token = tokens[index]
            switch token.kind {
            case .symbol("("), .symbol("["), .symbol("{"): depth += 1
            case .symbol(")"), .symbol("]"), .symbol("}"): depth -= 1
            case .symbol(":"): if depth == 0, let name = tokens[index - 1].name { labels.insert(name) }
            default: break
            }
        }
        return labels
    }

    private func expressionCandidates(context: [Token]) -> [Candidate] {
        let previous = context.last
        let general = generalCandidates()
        if let previous, previous.name == Keywords.with {
            return session.registry.plugins(of: .privacy).map { Candidate(text: $0.id, suffix: "(") }
                + session.boundNames.map { Candidate(text: $0, suffix: "") }
        }
        guard let call = openCall(context), innermostOpen(context)?.isSymbol("(") == true else {
            return general + [Candidate(text: Keywords.with, suffix: " "), Candidate(text: "true", suffix: ""), Candidate(text: "false", suffix: "")]
        }
        if let previous, previous.isSymbol(":") {
            // The value of a named argument.
            let label = context.count >= 2 ? context[context.count - 2].name : nil
            if let label, let plugin = session.registry.plugins.first(where: { $0.id == call.callee }),
               let spec = plugin.descriptor.parameters.first(where: { $0.id == label }) {
                switch spec.type {
                case .choice: return spec.choices.map { Candidate(text: quote($0), suffix: "") }
                case .bool: return [Candidate(text: "true", suffix: ""), Candidate(text: "false", suffix: "")]
                default: return general
                }
            }
            if let label, let builtin = Builtins.named(call.callee), let parameter = builtin.parameters.first(where: { $0.name == label }) {
                return valueCandidates(parameter.kind) ?? general
            }
            return general
        }
        if let previous, previous.isSymbol("(") || previous.isSymbol(",") {
            let given = givenLabels(context, call: call)
            if let plugin = session.registry.plugins.first(where: { $0.id == call.callee }) {
                return plugin.descriptor.parameters.filter { !given.contains($0.id) }.map { Candidate(text: $0.id, suffix: ": ") }
            }
            if let builtin = Builtins.named(call.callee) {
                let labels = builtin.parameters.filter { !given.contains($0.name) }.map { Candidate(text: $0.name, suffix: ": ") }
                // After a named argument only named ones may follow.
                if !given.isEmpty { return labels }
                if let argument = currentArgument(context, call: call),
                   let parameter = builtin.parameters.first(where: { $0.name == argument }), !given.contains(argument),
                   let values = valueCandidates(parameter.kind) {
                    return values + labels
                }
                return general + labels
            }
        }
        return general
    }

    /// Candidates for an argument of a built-in that takes a particular kind of value.
    private func valueCandidates(_ kind: ArgumentKind) -> [Candidate]? {
        func bound(_ test: (Value) -> Bool) -> [Candidate] {
            session.boundNames.filter { test(session.lookup($0)!) }.map { Candidate(text: $0, suffix: "") }
        }
        switch kind {
        case .table: return bound { if case .table = $0 { true } else { false } }
        case .model: return bound { if case .model = $0 { true } else { false } }
        case .experiment: return bound { if case .experiment = $0 { true } else { false } }
        case .results: return bound { if case .results = $0 { true } else { false } }
        case .generators:
            return session.registry.plugins(of: .generator).map { Candidate(text: $0.id, suffix: "(") }
                + bound { value in
                    switch value {
                    case .generator, .list: true
                    case .config(let config): config.kind == .generator
                    default: false
                    }
                }
        case .validators:
            return session.registry.plugins(of: .validator).map { Candidate(text: $0.id, suffix: "") }
                + bound { if case .config(let config) = $0 { config.kind == .validator } else { false } }
        case .bool: return [Candidate(text: "true", suffix: ""), Candidate(text: "false", suffix: "")]
        case .choice(let words): return words.map { Candidate(text: quote($0), suffix: "") }
        default: return nil
        }
    }

    private func generalCandidates() -> [Candidate] {
        session.boundNames.map { Candidate(text: $0, suffix: "") }
            + Builtins.all.map { Candidate(text: $0.name, suffix: "(") }
            + session.registry.plugins.map { Candidate(text: $0.id, suffix: "(") }
    }

    // MARK: Strings

    private func completeString(_ content: String, context: [Token]) -> Completion {
        if let call = openCall(context), let argument = currentArgument(context, call: call) {
            if let builtin = Builtins.named(call.callee), let parameter = builtin.parameters.first(where: { $0.name == argument }) {
                switch parameter.kind {
                case .columns:
                    // select(results, except:) leaves out metrics, not columns.
                    if let results = resultsArgument(call: call, context: context) {
                        return finish(prefix: content, candidates: results.reportedMetrics.filter { !$0.contains("\"") }.map { Candidate(text: $0, suffix: "\"") })
                    }
                    return finish(prefix: content, candidates: columnCandidates(call: call, context: context))
                case .choice(let words): return finish(prefix: content, candidates: words.map { Candidate(text: $0, suffix: "\"") })
                case .rules: return completeRuleColumn(content, names: ruleColumns(call: call, context: context))
                case .string where parameter.name == "target":
                    return finish(prefix: content, candidates: session.boundColumns.map { Candidate(text: $0, suffix: "\"") })
                case .resultNames(let kind):
                    // From the results the call is given: the metrics their trials reported, the
                    // configurations or the tables as they name them.
                    guard let results = resultsArgument(call: call, context: context) else { break }
                    let names = switch kind {
                    case .metrics: results.reportedMetrics
                    case .configurations: results.configurationLabels
                    case .tables: Report.orderedTables(results)
                    }
                    return finish(prefix: content, candidates: names.filter { !$0.contains("\"") }.map { Candidate(text: $0, suffix: "\"") })
                default: break
                }
            }
            if let plugin = session.registry.plugins.first(where: { $0.id == call.callee }),
               let spec = plugin.descriptor.parameters.first(where: { $0.id == argument }), spec.type == .choice {
                return finish(prefix: content, candidates: spec.choices.map { Candidate(text: $0, suffix: "\"") })
            }
            // The constraints validator's rules: the columns of every bound table.
            if call.callee == "constraints", argument == "rules" {
                return completeRuleColumn(content, names: session.boundColumns)
            }
        }
        return completePath(content, closing: "\"")
    }

    /// The column name being typed at the end of a rule string: the name characters after the
    /// last other character (a backtick opens a name that may hold any character).
    private func completeRuleColumn(_ content: String, names: [String]) -> Completion {
        if let tick = content.lastIndex(of: "`"), content.filter({ $0 == "`" }).count % 2 == 1 {
            let typed = String(content[content.index(after: tick)...])
            return finish(prefix: typed, candidates: names.map { Candidate(text: $0, suffix: "`") })
        }
        let typed = String(content.reversed().prefix(while: ConstraintRule.isNameCharacter).reversed())
        guard !typed.isEmpty, !(typed.first?.isNumber ?? false) else { return Completion(insert: "", candidates: []) }
        // A name that needs backticks is offered only where one is open.
        return finish(prefix: typed, candidates: names.filter { !ConstraintRule.needsBackticks($0) }.map { Candidate(text: $0, suffix: "") })
    }

    /// The columns a rule in the open call may name: the model's (sample), the table's
    /// (select), every table's (experiment), or every bound table's.
    private func ruleColumns(call: (callee: String, openIndex: Int), context: [Token]) -> [String] {
        // A field of a record of each table's rules, {taxis: "…"}: that table's columns.
        if context.count >= 3, case .symbol(":") = context[context.count - 1].kind, case .symbol(let before) = context[context.count - 3].kind,
           before == "{" || before == ",", let name = context[context.count - 2].name, let table = session.table(named: name) {
            return table.table.columnNames
        }
        // The first model or table named among the call's own arguments (fit's is its second).
        for name in argumentNames(call: call, context: context) {
            switch session.lookup(name) {
            case .model(let model): return model.columns
            case .table(let table): return table.table.columnNames
            default: continue
            }
        }
        return session.boundColumns
    }

    /// The names written as the open call's own arguments (not inside a nested call, list or
    /// record), in order.
    private func argumentNames(call: (callee: String, openIndex: Int), context: [Token]) -> [String] {
        var depth = 0, names: [String] = []
        for token in context[(call.openIndex + 1)...] {
            switch token.kind {
            case .symbol("("), .symbol("["), .symbol("{"): depth += 1
            case .symbol(")"), .symbol("]"), .symbol("}"): depth -= 1
            case .name(let name) where depth == 0: names.append(name)
            default: break
            }
        }
        return names
    }

    /// The results that a bound name among the open call's arguments holds (compare's first,
    /// figure's second).
    private func resultsArgument(call: (callee: String, openIndex: Int), context: [Token]) -> ExperimentResults? {
        for name in argumentNames(call: call, context: context) {
            if case .results(let results) = session.lookup(name) { return results }
        }
        return nil
    }

    /// The columns of the table given first to the open call, or of every bound table.
    private func columnCandidates(call: (callee: String, openIndex: Int), context: [Token]) -> [Candidate] {
        let first = call.openIndex + 1 < context.count ? context[call.openIndex + 1].name : nil
        let names = first.flatMap { session.table(named: $0)?.table.columnNames } ?? session.boundColumns
        return names.map { Candidate(text: $0, suffix: "\"") }
    }

    private func completePath(_ typed: String, closing: String) -> Completion {
        let expanded = (typed as NSString).expandingTildeInPath
        let slash = expanded.lastIndex(of: "/")
        let directoryPart = slash.map { String(expanded[...$0]) } ?? ""
        let base = slash.map { String(expanded[expanded.index(after: $0)...]) } ?? expanded
        let directory = directoryPart.hasPrefix("/") ? directoryPart : session.resolve(directoryPart.isEmpty ? "." : directoryPart)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return Completion(insert: "", candidates: []) }
        let candidates = names.filter { !$0.hasPrefix(".") || base.hasPrefix(".") }.sorted().map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
            return Candidate(text: name, suffix: isDirectory.boolValue ? "/" : closing)
        }
        return finish(prefix: base, candidates: candidates)
    }

    // MARK: Commands

    private func completeCommand(_ before: String) -> Completion {
        let trimmed = String(before.drop { $0 == " " || $0 == "\t" })
        guard let space = trimmed.firstIndex(of: " ") else {
            return finish(prefix: trimmed, candidates: ShellCommands.all.map { Candidate(text: $0.name, suffix: " ") })
        }
        let name = String(trimmed[..<space])
        let rest = String(trimmed[trimmed.index(after: space)...])
        let word = String(rest[(rest.lastIndex(of: " ").map { rest.index(after: $0) } ?? rest.startIndex)...])
        guard let command = ShellCommands.named(name) else { return Completion(insert: "", candidates: []) }
        switch command.argument {
        case .none: return Completion(insert: "", candidates: [])
        case .path: return completePath(word, closing: "")
        case .words(let words): return finish(prefix: word, candidates: words.map { Candidate(text: $0, suffix: "") })
        case .commandName:
            let names = ShellCommands.all.map(\.name) + Builtins.all.map(\.name) + session.registry.plugins.map(\.id)
            return finish(prefix: word, candidates: names.map { Candidate(text: $0, suffix: "") })
        case .boundNames:
            return finish(prefix: word, candidates: session.boundNames.map { Candidate(text: $0, suffix: " ") })
        case .journals:
            let journals = session.journalFolder.map(SessionJournal.unfinished(in:)) ?? []
            let names = journals.map { ($0.path as NSString).lastPathComponent } + ["forget"]
            return finish(prefix: word, candidates: names.map { Candidate(text: $0, suffix: "") })
        }
    }

    // MARK: Result

    private func finish(prefix: String, candidates: [Candidate]) -> Completion {
        var seen = Set<String>()
        let matches = candidates.filter { $0.text.hasPrefix(prefix) && seen.insert($0.text).inserted }
        guard !matches.isEmpty else { return Completion(insert: "", candidates: []) }
        if matches.count == 1 {
            return Completion(insert: String(matches[0].text.dropFirst(prefix.count)) + matches[0].suffix, candidates: [matches[0].text])
        }
        var common = matches[0].text
        for match in matches.dropFirst() {
            while !match.text.hasPrefix(common) { common.removeLast() }
        }
        let insert = String(common.dropFirst(prefix.count))
        return Completion(insert: insert, candidates: matches.map(\.text))
    }
}
