import Foundation
import SynthMath

// Operations that would take a dozen elementwise tensors each when composed (batch
// normalization, output activations over column spans, cross-entropy over spans), computed in
// one pass with a hand-written backward pass. When the backward pass is itself recorded (for
// gradients of gradients), they differentiate their composed form instead, so every operation
// stays twice differentiable.

/// A run of columns that gets one output activation.
public struct ActivationSpan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case tanh, softmax }
    public let start: Int
    public let width: Int
    public let kind: Kind

    public init(start: Int, width: Int, kind: Kind) {
        self.start = start
        self.width = width
        self.kind = kind
    }
}

extension Tensor {
    /// The gradients of a fused operation's `inputs` taken through `composed`, its form in
    /// recorded operations: used when the backward pass is being recorded.
    static func composedGradients(_ inputs: [Tensor], seed: Tensor, _ composed: ([Tensor]) -> Tensor) -> [Tensor?] {
        let wanted = inputs.filter(\.needsGradient)
        let grads = Autodiff.gradients(of: composed(inputs), with: wanted, seed: seed, createGraph: true)
        var next = 0
        return inputs.map { input in
            guard input.needsGradient else { return nil }
            defer { next += 1 }
            return grads[next]
        }
    }

    /// Output activations over column spans that tile the columns in order: tanh on `.tanh`
    /// spans; on `.softmax` spans a softmax of each row, or with `gumbelTau` a Gumbel-softmax,
    /// softmax((x + g) / τ) with standard Gumbel noise g = −log(−log u) drawn from `random` (one
    /// block of rows × width values per span, in span order).
    public func spanActivation(_ spans: [ActivationSpan], gumbelTau: Float?, random: inout Philox) -> Tensor {
        var next = 0
        for span in spans {
            precondition(span.start == next && span.width > 0, "spanActivation: spans must tile the columns in order")
            next += span.width
        }
        precondition(next == columns, "spanActivation: the spans cover \(next) of \(columns) columns")
        // Gumbel noise, one row-major block per softmax span.
        var noise: [[Float]] = []
        if gumbelTau != nil {
            for span in spans where span.kind == .softmax {
                noise.append(Tensor.gumbelNoise(rows * span.width, random: &random))
            }
        }
        let scale = gumbelTau.map { 1 / $0 } ?? 1
        let (rows, columns) = (self.rows, self.columns)
        let out = Tensor.filled(rows, columns) { y in
            data.withUnsafeBufferPointer { x in
                var block = 0
                for span in spans {
                    switch span.kind {
                    case .tanh:
                        for r in 0..<rows {
                            for k in 0..<span.width { let i = r * columns + span.start + k; y[i] = Foundation.tanh(x[i]) }
                        }
                    case .softmax:
                        // The span's logits (plus noise, over τ) as one block, shifted by each
                        // row's maximum, exponentiated together, then normalized row by row.
                        let width = span.width
                        let blockNoise = gumbelTau == nil ? [] : noise[block]
                        var shifted = [Float](repeating: 0, count: rows * width)
                        shifted.withUnsafeMutableBufferPointer { v in
                            blockNoise.withUnsafeBufferPointer { n in
                                for r in 0..<rows {
                                    let source = x.baseAddress! + r * columns + span.start, row = v.baseAddress! + r * width
                                    var largest = -Float.infinity
                                    for k in 0..<width {
                                        row[k] = n.isEmpty ? source[k] : scale * (source[k] + n[r * width + k])
                                        largest = Swift.max(largest, row[k])
                                    }
                                    for k in 0..<width { row[k] -= largest }
                                }
                            }
                            VectorMath.exp(v)
                            for r in 0..<rows {
                                let row = v.baseAddress! + r * width, target = y.baseAddress! + r * columns + span.start
                                let total = contiguousSum(UnsafePointer(row), width)
                                for k in 0..<width { target[k] = row[k] / total }
                            }
                        }
                        block += 1
                    }
                }
            }
        }
        let input = self
        return Tensor.result(rows, columns, out, inputs: [self]) { g, y in
            guard !GradMode.isEnabled else {
                return Tensor.composedGradients([input], seed: g) { inputs in
                    var parts: [Tensor] = []
                    var block = 0
                    for span in spans {
                        let slice = inputs[0].columns(span.start..<(span.start + span.width))
                        switch span.kind {
                        case .tanh: parts.append(slice.tanh())
                        case .softmax:
                            if let tau = gumbelTau {
                                parts.append(((slice + Tensor(rows: rows, columns: span.width, data: noise[block])) / tau).softmax())
                                block += 1
                            } else {
                                parts.append(slice.softmax())
                            }
                        }
                    }
                    return Tensor.concatColumns(parts)
                }
            }
            let dx = Tensor.filled(rows, columns) { dx in
                g.data.withUnsafeBufferPointer { g in
                    y.data.withUnsafeBufferPointer { y in
                        for span in spans {
                            for r in 0..<rows {
                                let base = r * columns + span.start
                                switch span.kind {
                                case .tanh:
                                    for k in 0..<span.width { let i = base + k; dx[i] = g[i] * (1 - y[i] * y[i]) }
                                case .softmax:
                                    var dot: Float = 0
                                    for k in 0..<span.width { dot += g[base + k] * y[base + k] }
                                    for k in 0..<span.width { let i = base + k; dx[i] = y[i] * (g[i] - dot) * scale }
                                }
                            }
                        }
                    }
                }
            }
            return [Tensor(rows: rows, columns: columns, data: dx)]
        }
    }

    /// Batch normalization of each column with the batch's mean and biased variance, then
    /// `gamma` · x̂ + `beta` (both one row). Returns the output and the batch's means and
    /// variances (for running estimates).
    public func batchNorm(gamma: Tensor, beta: Tensor, epsilon: Float) -> (output: Tensor, mean: [Float], variance: [Float]) {
        precondition(gamma.rows == 1 && gamma.columns == columns && beta.rows == 1 && beta.columns == columns,
                     "batchNorm: gamma and beta must be 1×\(columns)")
        let (rows, columns) = (self.rows, self.columns)
        let inverseRows = 1 / Float(rows)
        let gammaValues = gamma.data, betaValues = beta.data
        var mean = [Float](repeating: 0, count: columns)
        var variance = [Float](repeating: 0, count: columns)
        var inverseStd = [Float](repeating: 0, count: columns)
        let normalized = Tensor.filled(rows, columns) { z in
            data.withUnsafeBufferPointer { xb in
                mean.withUnsafeMutableBufferPointer { mb in
                    variance.withUnsafeMutableBufferPointer { vb in
                        inverseStd.withUnsafeMutableBufferPointer { sb in
                            let x = xb.baseAddress!, m = mb.baseAddress!, v = vb.baseAddress!, s = sb.baseAddress!, z = z.baseAddress!
                            for r in 0..<rows { let row = x + r * columns; for c in 0..<columns { m[c] += row[c] } }
                            for c in 0..<columns { m[c] *= inverseRows }
                            for r in 0..<rows {
                                let row = x + r * columns
                                for c in 0..<columns { let d = row[c] - m[c]; v[c] += d * d }
                            }
                            for c in 0..<columns {
                                v[c] *= inverseRows
                                s[c] = 1 / (v[c] + epsilon).squareRoot()
                            }
                            for r in 0..<rows {
                                let row = x + r * columns, out = z + r * columns
                                for c in 0..<columns { out[c] = (row[c] - m[c]) * s[c] }
                            }
                        }
                    }
                }
            }
        }
        let out = Tensor.filled(rows, columns) { yb in
            normalized.withUnsafeBufferPointer { nb in
                gammaValues.withUnsafeBufferPointer { gb in
                    betaValues.withUnsafeBufferPointer { bb in
                        let n = nb.baseAddress!, y = yb.baseAddress!, g = gb.baseAddress!, b = bb.baseAddress!
                        for r in 0..<rows {
                            let source = n + r * columns, target = y + r * columns
                            for c in 0..<columns { target[c] = source[c] * g[c] + b[c] }
                        }
                    }
                }
            }
        }
        let (xHat, scale) = (normalized, zip(gammaValues, inverseStd).map { $0 * $1 })
        let input = self
        let output = Tensor.result(rows, columns, out, inputs: [self, gamma, beta]) { g, _ in
            guard !GradMode.isEnabled else {
                return Tensor.composedGradients([input, gamma, beta], seed: g) { inputs in
                    inputs[0].batchNormalized(epsilon: epsilon).normalized * inputs[1] + inputs[2]
                }
            }
            // dx = (1/σ)(dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), with dx̂ = g · gamma.
            var sumG = [Float](repeating: 0, count: columns), sumGX = [Float](repeating: 0, count: columns)
            g.data.withUnsafeBufferPointer { gb in
                xHat.withUnsafeBufferPointer { hb in
                    sumG.withUnsafeMutableBufferPointer { sb in
                        sumGX.withUnsafeMutableBufferPointer { xb in
                            let g = gb.baseAddress!, h = hb.baseAddress!, sg = sb.baseAddress!, sx = xb.baseAddress!
                            for r in 0..<rows {
                                let gr = g + r * columns, hr = h + r * columns
                                for c in 0..<columns { sg[c] += gr[c]; sx[c] += gr[c] * hr[c] }
                            }
                        }
                    }
                }
            }
            let meanG = sumG.map { $0 * inverseRows }, meanGX = sumGX.map { $0 * inverseRows }
            let dx: [Float]? = input.needsGradient ? Tensor.filled(rows, columns) { db in
                g.data.withUnsafeBufferPointer { gb in
                    xHat.withUnsafeBufferPointer { hb in
                        scale.withUnsafeBufferPointer { kb in
                            meanG.withUnsafeBufferPointer { mb in
                                meanGX.withUnsafeBufferPointer { xb in
                                    let g = gb.baseAddress!, h = hb.baseAddress!, k = kb.baseAddress!, mg = mb.baseAddress!, mx = xb.baseAddress!
                                    for r in 0..<rows {
                                        let gr = g + r * columns, hr = h + r * columns, dr = db.baseAddress! + r * columns
                                        for c in 0..<columns { dr[c] = k[c] * (gr[c] - mg[c] - hr[c] * mx[c]) }
                                    }
                                }
                            }
                        }
                    }
                }
            } : nil
            return [dx.map { Tensor(rows: rows, columns: columns, data: $0) },
                    gamma.needsGradient ? Tensor(rows: 1, columns: columns, data: sumGX) : nil,
                    beta.needsGradient ? Tensor(rows: 1, columns: columns, data: sumG) : nil]
        }
        return (output, mean, variance)
    }
}

extension Loss {
    /// Cross-entropy over column spans: Σ over rows r and spans s of
    /// −w[r, s] · Σₖ t[r, targetStarts[s] + k] · log softmax(x[r, span s])ₖ, as a 1 × 1 sum (not a mean).
    /// `targets` holds each span's target distribution (or one-hot) at `targetStarts`; `weights`
    /// (rows × spans) says how much each row's span counts (0 skips it).
    public static func spanCrossEntropy(_ logits: Tensor, spans: [Range<Int>], targets: Tensor, targetStarts: [Int], weights: Tensor) -> Tensor {
        let rows = logits.rows, columns = logits.columns
        precondition(targets.rows == rows && weights.rows == rows && weights.columns == spans.count && targetStarts.count == spans.count,
                     "spanCrossEntropy: targets, weights and spans do not match the \(rows) rows")
        precondition(spans.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= columns }, "spanCrossEntropy: a span is outside the \(columns) columns")
        precondition(zip(spans, targetStarts).allSatisfy { $1 >= 0 && $1 + $0.count <= targets.columns }, "spanCrossEntropy: a target span is outside the targets")
        let x = logits.data, t = targets.data, w = weights.data
        let targetWidth = targets.columns
        /// The largest logit of row r's span and the sum of the exponentials shifted by it.
        func shift(_ r: Int, _ span: Range<Int>) -> (largest: Float, sum: Float) {
            let base = r * columns
            var largest = -Float.infinity
            for c in span { largest = Swift.max(largest, x[base + c]) }
            var sum: Float = 0
            for c in span { sum += Foundation.exp(x[base + c] - largest) }
            return (largest, sum)
        }
        var total: Float = 0
        for r in 0..<rows {
            for (s, span) in spans.enumerated() {
                let weight = w[r * spans.count + s]
                guard weight != 0 else { continue }
                let base = r * columns
                let (largest, sum) = shift(r, span)
                let logSum = largest + Foundation.log(sum)
                var term: Float = 0
                for (k, c) in span.enumerated() { term += t[r * targetWidth + targetStarts[s] + k] * (logSum - x[base + c]) }
                total += weight * term
            }
        }
        return Tensor.result(1, 1, [total], inputs: [logits]) { g, _ in
            guard !GradMode.isEnabled else {
                return Tensor.composedGradients([logits], seed: g) { inputs in
                    var sum = Tensor(scalar: 0)
                    for (s, span) in spans.enumerated() {
                        let logProbabilities = inputs[0].columns(span).logSoftmax()
                        let target = targets.columns(targetStarts[s]..<(targetStarts[s] + span.count)) * weights.columns(s..<(s + 1))
                        sum = sum - (logProbabilities * target).sum()
                    }
                    return sum
                }
            }
            // d/dx = g · w · (softmax · Σₖ tₖ − t).
            let seed = g.scalar
            var dx = [Float](repeating: 0, count: rows * columns)
            for r in 0..<rows {
                for (s, span) in spans.enumerated() {
                    let weight = w[r * spans.count + s]
                    guard weight != 0 else { continue }
                    let base = r * columns
                    let (largest, sum) = shift(r, span)
                    var mass: Float = 0
                    for k in 0..<span.count { mass += t[r * targetWidth + targetStarts[s] + k] }
                    for (k, c) in span.enumerated() {
                        let p = Foundation.exp(x[base + c] - largest) / sum
                        dx[base + c] += seed * weight * (p * mass - t[r * targetWidth + targetStarts[s] + k])
                    }
                }
            }
            return [Tensor(rows: rows, columns: columns, data: dx)]
        }
    }
}
