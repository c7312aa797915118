import Foundation

/// "did you mean" hints: the nearest known name by edit distance.
public enum Suggest {
    public static func nearest(_ name: String, among candidates: [String]) -> String? {
        let limit = max(1, min(3, name.count / 3 + 1))
        var best: (String, Int)?
        for candidate in Set(candidates).sorted() where candidate != name {
            let distance = editDistance(name.lowercased(), candidate.lowercased())
            if distance <= limit, best.map({ distance < $0.1 }) ?? true { best = (candidate, distance) }
        }
        if let best { return best.0 }
        // A unique candidate that starts with what was typed.
        let prefixed = Set(candidates).filter { $0.hasPrefix(name) && !name.isEmpty }
        if prefixed.count == 1 { return prefixed.first }
        // A unique candidate that is one of the words of what was typed (`save_model`: `save`).
        let words = Set(name.lowercased().split(separator: "_").map(String.init))
        let named = Set(candidates).filter { words.count > 1 && words.contains($0.lowercased()) }
        return named.count == 1 ? named.first : nil
    }

    /// " (did you mean `x`?)" or "".
    public static func hint(_ name: String, among candidates: [String]) -> String {
        nearest(name, among: candidates).map { " (did you mean `\($0)`?)" } ?? ""
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions, transpositions.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
