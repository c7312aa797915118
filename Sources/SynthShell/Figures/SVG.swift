import Foundation
import SynthKit
import SynthMath
import SynthMetrics

/// Figures as self-contained SVG text: each function returns one `<svg>` element with its own
/// size, axes, labels and legend, readable on its own and inlined in HTML reports.
enum SVG {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Round tick values covering [low, high]; whole numbers only with `integers` (epochs).
    static func ticks(_ low: Double, _ high: Double, count: Int = 5, integers: Bool = false) -> [Double] {
        guard high > low else { return [low] }
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        var step = [1.0, 2.0, 2.5, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        if integers { step = step < 1 ? 1 : (step == 2.5 ? 2 : step.rounded(.up)) }
        var values: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9 {
            values.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return values
    }

    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e4 || abs(value) < 1e-3 { return String(format: "%.2g", value) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A plot frame: the plotting area's mapping and the axis drawing around it.
    struct Frame {
        var width = 560.0, height = 320.0
        var left = 64.0, right = 16.0, top = 36.0, bottom = 56.0
        var xRange: ClosedRange<Double> = 0...1
        var yRange: ClosedRange<Double> = 0...1
        /// The x values are whole numbers (epochs): ticks fall on whole numbers only.
        var integerX = false

        func x(_ value: Double) -> Double {
            let span = xRange.upperBound - xRange.lowerBound
            return left + (span > 0 ? (value - xRange.lowerBound) / span : 0.5) * (width - left - right)
        }
        func y(_ value: Double) -> Double {
            let span = yRange.upperBound - yRange.lowerBound
            return height - bottom - (span > 0 ? (value - yRange.lowerBound) / span : 0.5) * (height - top - bottom)
        }

        func open(title: String) -> String {
            """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(number((left + width - right) / 2))" y="18" text-anchor="middle" font-size="13" font-weight="bold">\(escape(title))</text>

            """
        }

        func yAxis(label text: String) -> String {
            var out = "<line x1=\"\(number(left))\" y1=\"\(number(top))\" x2=\"\(number(left))\" y2=\"\(number(height - bottom))\" stroke=\"#333\"/>\n"
            for tick in ticks(yRange.lowerBound, yRange.upperBound) {
                let y = self.y(tick)
                out += "<line x1=\"\(number(left - 4))\" y1=\"\(number(y))\" x2=\"\(number(width - right))\" y2=\"\(number(y))\" stroke=\"#e5e5e5\"/>\n"
                out += "<text x=\"\(number(left - 6))\" y=\"\(number(y + 4))\" text-anchor=\"end\">\(label(tick))</text>\n"
            }
            // Beside the tick labels, however wide the left margin (bars keep room for their slanted names).
            out += "<text transform=\"translate(\(number(Swift.max(14, left - 52))) \(number((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(text))</text>\n"
            return out
        }

        func xAxis(label text: String, numeric: Bool = true) -> String {
            var out = "<line x1=\"\(number(left))\" y1=\"\(number(height - bottom))\" x2=\"\(number(width - right))\" y2=\"\(number(height - bottom))\" stroke=\"#333\"/>\n"
            if numeric {
                for tick in ticks(xRange.lowerBound, xRange.upperBound, integers: integerX) {
                    let x = self.x(tick)
                    out += "<line x1=\"\(number(x))\" y1=\"\(number(height - bottom))\" x2=\"\(number(x))\" y2=\"\(number(height - bottom + 4))\" stroke=\"#333\"/>\n"
                    out += "<text x=\"\(number(x))\" y=\"\(number(height - bottom + 16))\" text-anchor=\"middle\">\(label(tick))</text>\n"
                }
            }
            out += "<text x=\"\(number((left + width - right) / 2))\" y=\"\(number(height - 8))\" text-anchor=\"middle\">\(escape(text))</text>\n"
            return out
        }

        /// Widens the figure by a column on the right of the plotting area for the legend of
        /// `names` (and makes it tall enough for every entry), so that no entry covers the data.
        /// Call it before drawing: the plotting area keeps its size.
        mutating func reserveLegend(_ names: [String]) {
            let longest = names.map { min($0.count, Frame.legendCharacters) }.max() ?? 0
            let column = 28 + 6.5 * Double(longest)
            width += column
            right += column
            height = max(height, top + 14 * Double(names.count) + 8)
        }

        static let legendCharacters = 24

        /// The legend in the column `reserveLegend` made, one swatch and name per line.
        func legend(_ names: [String]) -> String {
            var out = ""
            let x = width - right + 16
            for (index, name) in names.enumerated() {
                let y = top + 4 + Double(index) * 14
                out += "<rect x=\"\(number(x))\" y=\"\(number(y - 8))\" width=\"10\" height=\"10\" fill=\"\(palette[index % palette.count])\"/>\n"
                out += "<text x=\"\(number(x + 14))\" y=\"\(number(y + 1))\">\(escape(String(name.prefix(Frame.legendCharacters))))</text>\n"
            }
            return out
        }
    }

    /// Bars with error bars: one bar per label, its height the mean, the whisker ± one sd.
    static func bars(title: String, metric: String, labels: [String], means: [Double], deviations: [Double?]) -> String {
        var frame = Frame()
        frame.bottom = 90
        frame.left = 150
        let tops = zip(means, deviations).map { $0 + ($1 ?? 0) }, bottoms = zip(means, deviations).map { $0 - ($1 ?? 0) }
        // Bars all at zero (no exact copies, say) get the axis of 0 to 1, not of 0 to 1e-9.
        let low = min(0, bottoms.min() ?? 0), top = max(tops.max() ?? 1, low), high = top > low ? top : low + 1
        frame.yRange = low...(high + (high - low) * 0.05)
        var out = frame.open(title: title) + frame.yAxis(label: metric) + frame.xAxis(label: "", numeric: false)
        let slot = (frame.width - frame.left - frame.right) / Double(max(labels.count, 1))
        for (index, name) in labels.enumerated() {
            let center = frame.left + slot * (Double(index) + 0.5), barWidth = slot * 0.6
            let y0 = frame.y(0 < low ? low : 0), y1 = frame.y(means[index])
            out += "<rect x=\"\(number(center - barWidth / 2))\" y=\"\(number(min(y0, y1)))\" width=\"\(number(barWidth))\" height=\"\(number(abs(y1 - y0)))\" fill=\"\(palette[index % palette.count])\"/>\n"
            if let sd = deviations[index], sd > 0 {
                let a = frame.y(means[index] - sd), b = frame.y(means[index] + sd)
                out += "<line x1=\"\(number(center))\" y1=\"\(number(a))\" x2=\"\(number(center))\" y2=\"\(number(b))\" stroke=\"black\"/>\n"
                out += "<line x1=\"\(number(center - 6))\" y1=\"\(number(a))\" x2=\"\(number(center + 6))\" y2=\"\(number(a))\" stroke=\"black\"/>\n"
                out += "<line x1=\"\(number(center - 6))\" y1=\"\(number(b))\" x2=\"\(number(center + 6))\" y2=\"\(number(b))\" stroke=\"black\"/>\n"
            }
            out += "<text transform=\"translate(\(number(center)) \(number(frame.height - frame.bottom + 12))) rotate(-25)\" text-anchor=\"end\">\(escape(String(name.prefix(30))))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Lines through (x, y) points, one per series, with a legend.
    static func lines(title: String, xLabel: String, yLabel: String, series: [(name: String, points: [(Double, Double)])],
                      markers: Bool = false) -> String {
        var frame = Frame()
        frame.reserveLegend(series.map(\.name))
        let xs = series.flatMap { $0.points.map(\.0) }, ys = series.flatMap { $0.points.map(\.1) }
        let xLow = xs.min() ?? 0, xHigh = xs.max() ?? 1, yLow = ys.min() ?? 0, yHigh = ys.max() ?? 1
        frame.xRange = xLow...(xHigh > xLow ? xHigh : xLow + 1)
        frame.integerX = xs.allSatisfy { $0 == $0.rounded() }
        let pad = (yHigh - yLow) * 0.05
        frame.yRange = (yLow - pad)...(yHigh > yLow ? yHigh + pad : yLow + 1)
        var out = frame.open(title: title) + frame.yAxis(label: yLabel) + frame.xAxis(label: xLabel)
        for (index, line) in series.enumerated() {
            let color = palette[index % palette.count]
            let path = line.points.map { "\(number(frame.x($0.0))),\(number(frame.y($0.1)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
            if markers {
                for point in line.points {
                    out += "<circle cx=\"\(number(frame.x(point.0)))\" cy=\"\(number(frame.y(point.1)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                }
            }
        }
        return out + frame.legend(series.map(\.name)) + "</svg>\n"
    }

    /// One point per name at (x, y), each with whiskers of ± its sd on either axis (none when
    /// nil), and a legend: a trade-off between two metrics.
    static func scatter(title: String, xLabel: String, yLabel: String,
                        points: [(name: String, x: Double, xSD: Double?, y: Double, ySD: Double?)]) -> String {
        var frame = Frame()
        frame.reserveLegend(points.map(\.name))
        func range(_ values: [(Double, Double?)]) -> ClosedRange<Double> {
            let low = values.map { $0.0 - ($0.1 ?? 0) }.min() ?? 0, high = values.map { $0.0 + ($0.1 ?? 0) }.max() ?? 1
            let pad = high > low ? (high - low) * 0.08 : Swift.max(Swift.abs(low) * 0.05, 0.05)
            return (low - pad)...(high + pad)
        }
        frame.xRange = range(points.map { ($0.x, $0.xSD) })
        frame.yRange = range(points.map { ($0.y, $0.ySD) })
        var out = frame.open(title: title) + frame.yAxis(label: yLabel) + frame.xAxis(label: xLabel)
        for (index, point) in points.enumerated() {
            let color = palette[index % palette.count], x = frame.x(point.x), y = frame.y(point.y)
            if let sd = point.xSD, sd > 0 {
                out += "<line x1=\"\(number(frame.x(point.x - sd)))\" y1=\"\(number(y))\" x2=\"\(number(frame.x(point.x + sd)))\" y2=\"\(number(y))\" stroke=\"\(color)\"/>\n"
            }
            if let sd = point.ySD, sd > 0 {
                out += "<line x1=\"\(number(x))\" y1=\"\(number(frame.y(point.y - sd)))\" x2=\"\(number(x))\" y2=\"\(number(frame.y(point.y + sd)))\" stroke=\"\(color)\"/>\n"
            }
            out += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"4.5\" fill=\"\(color)\"/>\n"
        }
        return out + frame.legend(points.map(\.name)) + "</svg>\n"
    }

    /// Real and synthetic marginals of one column: overlaid histograms for numbers (the real
    /// column's twenty equal-width bins), side-by-side bars of category shares otherwise (past
    /// twelve categories, the eleven most frequent in the real column and one bar for the others).
    static func distribution(real: Column, synthetic: Column) -> String {
        var frame = Frame()
        frame.width = 420
        frame.height = 260
        frame.bottom = 70
        frame.reserveLegend(["real", "synthetic"])
        let title = real.name
        if ColumnShape(real.kind) == .continuous, let a = numbersWithMissing(real), let b = numbersWithMissing(synthetic) {
            let present = a.filter { !$0.isNaN }
            let edges = Fidelity.histogramEdges(present, bins: 20)
            func shares(_ values: [Double]) -> [Double] {
                var counts = [Double](repeating: 0, count: 20)
                var total = 0.0
                for value in values where !value.isNaN {
                    let bin = min(max(Fidelity.digitize(value, edges) - 1, 0), 19)
                    counts[bin] += 1
                    total += 1
                }
                return counts.map { total > 0 ? $0 / total : 0 }
            }
            let real = shares(a), synth = shares(b)
            frame.xRange = edges[0]...edges[20]
            frame.yRange = 0...max((real + synth).max() ?? 1, 1e-9) * 1.05
            var out = frame.open(title: title) + frame.yAxis(label: "share of rows") + frame.xAxis(label: title)
            for (series, color) in [(real, palette[0]), (synth, palette[1])] {
                for bin in 0..<20 {
                    let x0 = frame.x(edges[bin]), x1 = frame.x(edges[bin + 1]), y = frame.y(series[bin])
                    out += "<rect x=\"\(number(x0))\" y=\"\(number(y))\" width=\"\(number(max(x1 - x0 - 0.5, 0.5)))\" height=\"\(number(frame.y(0) - y))\" fill=\"\(color)\" fill-opacity=\"0.45\"/>\n"
                }
            }
            return out + frame.legend(["real", "synthetic"]) + "</svg>\n"
        }
        let shared = SharedCategories(real: real, synthetic: synthetic)
        var (a, b) = (shared.realCounts, shared.syntheticCounts)
        let totalA = max(a.reduce(0, +), 1), totalB = max(b.reduce(0, +), 1)
        a = a.map { $0 / totalA }
        b = b.map { $0 / totalB }
        // The most frequent real categories, twelve bars at most: past twelve, the eleven most
        // frequent and one bar for all the others, so that the shares still add up to one.
        let ranked = a.indices.sorted { a[$0] > a[$1] }
        let shown = ranked.prefix(ranked.count > 12 ? 11 : 12)
        let rest = ranked.dropFirst(shown.count)
        var bars = shown.map { (label: String((shared.labels[$0] ?? "(missing)").prefix(18)), real: a[$0], synthetic: b[$0]) }
        if !rest.isEmpty {
            bars.append(("\(rest.count) others", rest.reduce(0) { $0 + a[$1] }, rest.reduce(0) { $0 + b[$1] }))
        }
        frame.yRange = 0...max(bars.map { max($0.real, $0.synthetic) }.max() ?? 1, 1e-9) * 1.05
        var out = frame.open(title: title) + frame.yAxis(label: "share of rows") + frame.xAxis(label: "", numeric: false)
        let slot = (frame.width - frame.left - frame.right) / Double(max(bars.count, 1))
        for (position, bar) in bars.enumerated() {
            let x = frame.left + slot * Double(position)
            for (offset, (value, color)) in [(bar.real, palette[0]), (bar.synthetic, palette[1])].enumerated() {
                let y = frame.y(value)
                out += "<rect x=\"\(number(x + slot * (0.1 + 0.4 * Double(offset))))\" y=\"\(number(y))\" width=\"\(number(slot * 0.38))\" height=\"\(number(frame.y(0) - y))\" fill=\"\(color)\"/>\n"
            }
            out += "<text transform=\"translate(\(number(x + slot / 2)) \(number(frame.height - frame.bottom + 12))) rotate(35)\" text-anchor=\"start\">\(escape(bar.label))</text>\n"
        }
        return out + frame.legend(["real", "synthetic"]) + "</svg>\n"
    }

    /// The difference synthetic − real of the Pearson correlation of every pair of numeric columns,
    /// as a heatmap from blue (−1) through white to red (+1).
    static func correlationDifference(real: Table, synthetic: Table) -> String {
        let names = real.columns.filter { ColumnShape($0.kind) == .continuous }.map(\.name)
            .filter { synthetic.column(named: $0) != nil }
        let cell = 28.0, left = 120.0, top = 40.0
        let size = left + cell * Double(names.count) + 90
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(size))" height="\(Int(top + cell * Double(names.count) + 110))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(number(size / 2))" y="18" text-anchor="middle" font-size="13" font-weight="bold">correlation, synthetic − real</text>

            """
        let realNumbers = names.map { numbersWithMissing(real.column(named: $0)!)! }
        let syntheticNumbers = names.map { numbersWithMissing(synthetic.column(named: $0)!)! }
        for i in names.indices {
            out += "<text x=\"\(number(left - 6))\" y=\"\(number(top + cell * (Double(i) + 0.65)))\" text-anchor=\"end\">\(escape(String(names[i].prefix(16))))</text>\n"
            out += "<text transform=\"translate(\(number(left + cell * (Double(i) + 0.5))) \(number(top + cell * Double(names.count) + 8))) rotate(60)\">\(escape(String(names[i].prefix(16))))</text>\n"
            for j in names.indices {
                let difference: Double? = i == j ? 0 : Correlation.pearson(syntheticNumbers[i], syntheticNumbers[j]).flatMap { s in
                    Correlation.pearson(realNumbers[i], realNumbers[j]).map { s - $0 }
                }
                let fill = difference.map(color) ?? "#cccccc"
                out += "<rect x=\"\(number(left + cell * Double(j)))\" y=\"\(number(top + cell * Double(i)))\" width=\"\(number(cell - 1))\" height=\"\(number(cell - 1))\" fill=\"\(fill)\"><title>\(escape(names[i])) × \(escape(names[j])): \(difference.map { String(format: "%+.3f", $0) } ?? "undefined")</title></rect>\n"
            }
        }
        // Colour key.
        let keyX = left + cell * Double(names.count) + 24
        for step in 0...10 {
            let value = 1 - Double(step) / 5
            out += "<rect x=\"\(number(keyX))\" y=\"\(number(top + Double(step) * 12))\" width=\"14\" height=\"12\" fill=\"\(color(value))\"/>\n"
            if step % 5 == 0 { out += "<text x=\"\(number(keyX + 18))\" y=\"\(number(top + Double(step) * 12 + 10))\">\(label(value))</text>\n" }
        }
        return out + "</svg>\n"
    }

    /// Blue for −1, white for 0, red for +1.
    static func color(_ value: Double) -> String {
        let t = min(max(value, -1), 1)
        let (r, g, b): (Double, Double, Double) = t >= 0 ? (1, 1 - t, 1 - t) : (1 + t, 1 + t, 1)
        return String(format: "#%02x%02x%02x", Int(r * 255), Int(g * 255), Int(b * 255))
    }
}
