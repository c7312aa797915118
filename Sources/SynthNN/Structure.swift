import Foundation
import COpenBLAS
import SynthMath

// MARK: - Matrix product

extension Tensor {
    /// op(self) · op(other), through BLAS sgemm.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let m = transposeSelf ? columns : rows, k = transposeSelf ? rows : columns
        let k2 = transposeOther ? other.columns : other.rows, n = transposeOther ? other.rows : other.columns
        precondition(k == k2, "matmul: cannot multiply \(m)×\(k) by \(k2)×\(n)")
        let out = Tensor.filled(m, n) { c in
            guard m > 0, n > 0 else { return }
            guard k > 0 else { c.initialize(repeating: 0); return }
            data.withUnsafeBufferPointer { a in
                other.data.withUnsafeBufferPointer { b in
                    Float.gemm(transposeSelf, transposeOther, m, n, k, 1, a.baseAddress!, columns, b.baseAddress!, other.columns,
                               0, c.baseAddress!, n)
                }
            }
        }
        let a = self, b = other
        return Tensor.result(m, n, out, inputs: [a, b]) { g, _ in
            // Per-example gradients (Autodiff.perExampleFactors): the right operand's use is a
            // pair of row-aligned factors, recorded instead of its gradient; a captured left
            // operand has no such form.
            var bNeeds = b.needsGradient
            if let capture = Autodiff.capture {
                if a.needsGradient { capture.refuse(a, "a parameter on the left of a matrix product") }
                if bNeeds {
                    switch (transposeSelf, transposeOther) {
                    case (false, false): bNeeds = !capture.record(b, left: a, right: g)
                    case (false, true): bNeeds = !capture.record(b, left: g, right: a)
                    default: capture.refuse(b, "a matrix product with a transposed left operand")
                    }
                }
            }
            switch (transposeSelf, transposeOther) {
            case (false, false):
                return [a.needsGradient ? g.matmul(b, transposeOther: true) : nil, bNeeds ? a.matmul(g, transposeSelf: true) : nil]
            case (true, false):
                return [a.needsGradient ? b.matmul(g, transposeOther: true) : nil, bNeeds ? a.matmul(g) : nil]
            case (false, true):
                return [a.needsGradient ? g.matmul(b) : nil, bNeeds ? g.matmul(a, transposeSelf: true) : nil]
            case (true, true):
                return [a.needsGradient ? b.matmul(g, transposeSelf: true, transposeOther: true) : nil,
                        bNeeds ? g.matmul(a, transposeSelf: true, transposeOther: true) : nil]
            }
        }
    }

    /// self · weight + bias (bias one row), as one BLAS call: the output starts as the bias
    /// repeated and sgemm adds the product to it (beta = 1), with no separate broadcast pass.
    public func linear(_ weight: Tensor, _ bias: Tensor) -> Tensor {
        precondition(columns == weight.rows, "linear: cannot multiply \(rows)×\(columns) by \(weight.rows)×\(weight.columns)")
        precondition(bias.rows == 1 && bias.columns == weight.columns, "linear: the bias must be 1×\(weight.columns)")
        let m = rows, n = weight.columns, k = columns
        let out = Tensor.filled(m, n) { c in
            bias.data.withUnsafeBufferPointer { b in
                for r in 0..<m { (c.baseAddress! + r * n).update(from: b.baseAddress!, count: n) }
            }
            guard m > 0, n > 0, k > 0 else { return }
            data.withUnsafeBufferPointer { a in
                weight.data.withUnsafeBufferPointer { w in
                    Float.gemm(false, false, m, n, k, 1, a.baseAddress!, k, w.baseAddress!, n, 1, c.baseAddress!, n)
                }
            }
        }
        let x = self
        return Tensor.result(m, n, out, inputs: [x, weight, bias]) { g, _ in
            // Per-example gradients (Autodiff.perExampleFactors): the weight's use is the pair
            // (input, error), the bias's (a column of ones, error).
            let capture = Autodiff.capture
            let weightRecorded = weight.needsGradient && capture?.record(weight, left: x, right: g) == true
            let biasRecorded = bias.needsGradient && capture?.record(bias, left: Tensor.full(g.rows, 1, 1), right: g) == true
            return [x.needsGradient ? g.matmul(weight, transposeOther: true) : nil,
                    weight.needsGradient && !weightRecorded ? x.matmul(g, transposeSelf: true) : nil,
                    bias.needsGradient && !biasRecorded ? g.sum(axis: 0) : nil]
        }
    }

    public var transposed: Tensor {
        var out = [Float](repeating: 0, count: count)
        for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = data[r * columns + c] } }
        return Tensor.result(columns, rows, out, inputs: [self]) { g, _ in [g.transposed] }
    }
}

// MARK: - Reductions and broadcasting

/// The sum of `count` consecutive Floats, in eight interleaved partial sums (so it vectorizes);
/// the order is fixed, so the result is the same on every run.
@inline(__always)
func contiguousSum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var partial = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = partial.sum()
    while i < count {
        total += x[i]
        i += 1
    }
    return total
}

extension Tensor {
    /// Sums down to `rows × columns`, each 1 or the tensor's own size (the adjoint of broadcasting).
    public func sum(toRows targetRows: Int, columns targetColumns: Int) -> Tensor {
        precondition((targetRows == rows || targetRows == 1) && (targetColumns == columns || targetColumns == 1),
                     "sum: cannot reduce \(rows)×\(columns) to \(targetRows)×\(targetColumns)")
        var out = [Float](repeating: 0, count: targetRows * targetColumns)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { z in
                for r in 0..<rows {
                    let zr = targetRows == 1 ? 0 : r * targetColumns
                    let base = r * columns
                    if targetColumns == 1 {
                        z[zr] += contiguousSum(x.baseAddress! + base, columns)
                    } else {
                        for c in 0..<columns { z[zr + c] += x[base + c] }
                    }
                }
            }
        }
        let (sourceRows, sourceColumns) = (rows, columns)
        return Tensor.result(targetRows, targetColumns, out, inputs: [self]) { g, _ in
            [g.broadcast(toRows: sourceRows, columns: sourceColumns)]
        }
    }

    /// Repeats a tensor whose dimensions are 1 or the target's (the adjoint of `sum(toRows:columns:)`).
    public func broadcast(toRows targetRows: Int, columns targetColumns: Int) -> Tensor {
        if targetRows == rows, targetColumns == columns { return self }
        let (_, _, out) = broadcastApply(Tensor.zeros(targetRows, targetColumns), self, "broadcast") { $1 }
        let (sourceRows, sourceColumns) = (rows, columns)
        return Tensor.result(targetRows, targetColumns, out, inputs: [self]) { g, _ in
            [g.sum(toRows: sourceRows, columns: sourceColumns)]
        }
    }

    /// The sum of all values (nil axis), of each column (axis 0: one row) or of each row (axis 1:
    /// one column).
    public func sum(axis: Int? = nil) -> Tensor {
        switch axis {
        case nil: sum(toRows: 1, columns: 1)
        case 0: sum(toRows: 1, columns: columns)
        default: sum(toRows: rows, columns: 1)
        }
    }

    public func mean(axis: Int? = nil) -> Tensor {
        let n = axis == nil ? count : axis == 0 ? rows : columns
        return sum(axis: axis) * (1 / Float(n))
    }

    /// The largest value of each row (axis 1, the default) or column (axis 0); its gradient goes to
    /// the first place holding the maximum.
    public func max(axis: Int = 1) -> Tensor {
        let byRow = axis == 1
        let outRows = byRow ? rows : 1, outColumns = byRow ? 1 : columns
        var out = [Float](repeating: -.infinity, count: outRows * outColumns)
        var mask = [Float](repeating: 0, count: count)
        var arg = [Int](repeating: 0, count: out.count)
        for r in 0..<rows {
            for c in 0..<columns {
                let o = byRow ? r : c
                let v = data[r * columns + c]
                if v > out[o] { out[o] = v; arg[o] = r * columns + c }
            }
        }
        for index in arg { mask[index] = 1 }
        let constantMask = Tensor(rows: rows, columns: columns, data: mask)
        return Tensor.result(outRows, outColumns, out, inputs: [self]) { g, _ in [constantMask * g] }
    }
}

// MARK: - Slices, concatenation, gathering, reshaping

extension Tensor {
    /// Columns `range` of every row.
    public func columns(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns, "columns \(range) of a tensor with \(columns) columns")
        let width = range.count
        let out = Tensor.filled(rows, width) { z in
            data.withUnsafeBufferPointer { x in
                guard width > 0 else { return }
                for r in 0..<rows { (z.baseAddress! + r * width).update(from: x.baseAddress! + r * columns + range.lowerBound, count: width) }
            }
        }
        let total = columns
        return Tensor.result(rows, width, out, inputs: [self]) { g, _ in [g.padColumns(before: range.lowerBound, total: total)] }
    }

    /// Places the columns at `before` in a zero tensor `total` columns wide (the adjoint of `columns(_:)`).
    public func padColumns(before: Int, total: Int) -> Tensor {
        precondition(before >= 0 && before + columns <= total, "padColumns: \(columns) columns at \(before) in \(total)")
        var out = [Float](repeating: 0, count: rows * total)
        for r in 0..<rows {
            for c in 0..<columns { out[r * total + before + c] = data[r * columns + c] }
        }
        let width = columns
        return Tensor.result(rows, total, out, inputs: [self]) { g, _ in [g.columns(before..<(before + width))] }
    }

    /// Tensors side by side (same rows).
    public static func concatColumns(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concatColumns of nothing")
        let rows = parts[0].rows
        precondition(parts.allSatisfy { $0.rows == rows }, "concatColumns: different row counts")
        let total = parts.reduce(0) { $0 + $1.columns }
        let out = Tensor.filled(rows, total) { z in
            var offset = 0
            for part in parts {
                let width = part.columns
                part.data.withUnsafeBufferPointer { x in
                    guard width > 0 else { return }
                    for r in 0..<rows { (z.baseAddress! + r * total + offset).update(from: x.baseAddress! + r * width, count: width) }
                }
                offset += width
            }
        }
        return result(rows, total, out, inputs: parts) { g, _ in
            var start = 0
            return parts.map { part in
                defer { start += part.columns }
                return part.needsGradient ? g.columns(start..<(start + part.columns)) : nil
            }
        }
    }

    /// The rows at `indices` (repeats allowed).
    public func gatherRows(_ indices: [Int]) -> Tensor {
        for index in indices { precondition(index >= 0 && index < rows, "gatherRows: row \(index) of \(rows)") }
        let width = columns
        let out = Tensor.filled(indices.count, columns) { z in
            data.withUnsafeBufferPointer { x in
                for (o, index) in indices.enumerated() {
                    for c in 0..<width { z[o * width + c] = x[index * width + c] }
                }
            }
        }
        let sourceRows = rows
        return Tensor.result(indices.count, columns, out, inputs: [self]) { g, _ in [g.scatterAddRows(indices, rows: sourceRows)] }
    }

    /// A zero tensor of `rows` rows with row i of self added at row indices[i] (the adjoint of
    /// `gatherRows`).
    public func scatterAddRows(_ indices: [Int], rows targetRows: Int) -> Tensor {
        precondition(indices.count == rows, "scatterAddRows: \(indices.count) indices for \(rows) rows")
        var out = [Float](repeating: 0, count: targetRows * columns)
        for (i, index) in indices.enumerated() {
            for c in 0..<columns { out[index * columns + c] += data[i * columns + c] }
        }
        return Tensor.result(targetRows, columns, out, inputs: [self]) { g, _ in [g.gatherRows(indices)] }
    }

    /// The same values read as `rows × columns` (row-major order kept), as pac packing needs.
    public func reshaped(_ newRows: Int, _ newColumns: Int) -> Tensor {
        precondition(newRows * newColumns == count, "reshape \(rows)×\(columns) to \(newRows)×\(newColumns)")
        let (oldRows, oldColumns) = (rows, columns)
        return Tensor.result(newRows, newColumns, data, inputs: [self]) { g, _ in [g.reshaped(oldRows, oldColumns)] }
    }
}
