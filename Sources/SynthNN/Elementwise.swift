import Foundation
import SynthMath

// MARK: - Broadcasting binary operations

/// The shape two operands broadcast to: each dimension equal, or 1 on one side.
func broadcastShape(_ a: Tensor, _ b: Tensor, _ op: String) -> (Int, Int) {
    func dim(_ x: Int, _ y: Int, _ axis: String) -> Int {
        if x == y { return x }
        if x == 1 { return y }
        if y == 1 { return x }
        preconditionFailure("\(op): cannot broadcast \(a.rows)×\(a.columns) with \(b.rows)×\(b.columns) (\(axis))")
    }
    return (dim(a.rows, b.rows, "rows"), dim(a.columns, b.columns, "columns"))
}

/// Applies `f` element by element over the broadcast shape.
@inline(__always)
func broadcastApply(_ a: Tensor, _ b: Tensor, _ op: String, _ f: (Float, Float) -> Float) -> (Int, Int, [Float]) {
    let (rows, columns) = broadcastShape(a, b, op)
    let out = Tensor.filled(rows, columns) { z in
        a.data.withUnsafeBufferPointer { x in
            b.data.withUnsafeBufferPointer { y in
                let aFull = a.rows == rows && a.columns == columns
                if aFull, b.rows == rows, b.columns == columns {
                    for i in 0..<z.count { z[i] = f(x[i], y[i]) }
                } else if aFull, b.count == 1 {
                    let s = y[0]
                    for i in 0..<z.count { z[i] = f(x[i], s) }
                } else if aFull, b.rows == 1 {
                    for r in 0..<rows {
                        let base = r * columns
                        for c in 0..<columns { z[base + c] = f(x[base + c], y[c]) }
                    }
                } else {
                    let aRowStep = a.rows == 1 ? 0 : a.columns, aColStep = a.columns == 1 ? 0 : 1
                    let bRowStep = b.rows == 1 ? 0 : b.columns, bColStep = b.columns == 1 ? 0 : 1
                    for r in 0..<rows {
                        for c in 0..<columns {
                            z[r * columns + c] = f(x[r * aRowStep + c * aColStep], y[r * bRowStep + c * bColStep])
                        }
                    }
                }
            }
        }
    }
    return (rows, columns, out)
}

extension Tensor {
    /// Sums over the broadcast dimensions so the gradient has the operand's shape.
    func reduceGradient(_ gradient: Tensor, to target: Tensor) -> Tensor {
        gradient.rows == target.rows && gradient.columns == target.columns ? gradient : gradient.sum(toRows: target.rows, columns: target.columns)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (rows, columns, data) = broadcastApply(a, b, "+", +)
        return result(rows, columns, data, inputs: [a, b]) { g, _ in
            [a.reduceGradient(g, to: a), b.reduceGradient(g, to: b)]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (rows, columns, data) = broadcastApply(a, b, "-", -)
        return result(rows, columns, data, inputs: [a, b]) { g, _ in
            [a.reduceGradient(g, to: a), b.reduceGradient(-g, to: b)]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (rows, columns, data) = broadcastApply(a, b, "*", *)
        return result(rows, columns, data, inputs: [a, b]) { g, _ in
            [a.needsGradient ? a.reduceGradient(g * b, to: a) : nil, b.needsGradient ? b.reduceGradient(g * a, to: b) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (rows, columns, data) = broadcastApply(a, b, "/", /)
        return result(rows, columns, data, inputs: [a, b]) { g, _ in
            [a.needsGradient ? a.reduceGradient(g / b, to: a) : nil,
             b.needsGradient ? b.reduceGradient(-(g * a) / (b * b), to: b) : nil]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1, shift: 0) }

    /// scale · x + shift.
    public func affine(scale: Float, shift: Float) -> Tensor {
        Tensor.result(rows, columns, map { scale * $0 + shift }, inputs: [self]) { g, _ in [g * scale] }
    }

    /// The values with `f` applied (not recorded: for masks and constants).
    func map(_ f: (Float) -> Float) -> [Float] {
        Tensor.filled(rows, columns) { z in
            data.withUnsafeBufferPointer { x in for i in 0..<z.count { z[i] = f(x[i]) } }
        }
    }

    /// A constant tensor of `f` applied to the values.
    func constant(_ f: (Float) -> Float) -> Tensor { Tensor(rows: rows, columns: columns, data: map(f)) }
}

// MARK: - Unary functions

extension Tensor {
    public func exp() -> Tensor {
        Tensor.result(rows, columns, map { Foundation.exp($0) }, inputs: [self]) { g, y in [g * y] }
    }

    public func log() -> Tensor {
        Tensor.result(rows, columns, map { Foundation.log($0) }, inputs: [self]) { g, _ in [g / self] }
    }

    public func sqrt() -> Tensor {
        Tensor.result(rows, columns, map { $0.squareRoot() }, inputs: [self]) { g, y in [g * 0.5 / y] }
    }

    public func squared() -> Tensor { self * self }

    public func tanh() -> Tensor {
        Tensor.result(rows, columns, map { Foundation.tanh($0) }, inputs: [self]) { g, y in [g * (1 - y * y)] }
    }

    public func sigmoid() -> Tensor {
        Tensor.result(rows, columns, map { 1 / (1 + Foundation.exp(-$0)) }, inputs: [self]) { g, y in [g * y * (1 - y)] }
    }

    public func relu() -> Tensor {
        Tensor.result(rows, columns, map { Swift.max($0, 0) }, inputs: [self]) { g, _ in [g * self.constant { $0 > 0 ? 1 : 0 }] }
    }

    public func leakyRelu(_ slope: Float = 0.2) -> Tensor {
        Tensor.result(rows, columns, map { $0 > 0 ? $0 : slope * $0 }, inputs: [self]) { g, _ in
            [g * self.constant { $0 > 0 ? 1 : slope }]
        }
    }

    /// log(1 + exp(x)), computed stably.
    public func softplus() -> Tensor {
        Tensor.result(rows, columns, map { $0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)) }, inputs: [self]) { g, _ in
            [g * self.sigmoid()]
        }
    }
}
