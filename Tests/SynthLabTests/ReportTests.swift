import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SynthKit
@testable import SynthLab
@testable import SynthShell

/// The experiment report and the exports: the HTML report rendered by headless Chromium, the
/// LaTeX table read by a booktabs-aware checker, the SVG figures on their own.
@Suite(.serialized) struct ReportTests {
    /// One experiment with statistical, neural and private generators, run once for every test.
    nonisolated(unsafe) static let run: (shell: CapturedSession, folder: String) = {
        let shell = try! CapturedSession()
        let folder = Support.temporaryFolder("synthlab-report")
        let insurance = Support.data("insurance.csv")
        _ = shell.type(#"ins = load("\#(insurance)", target: "charges")"#)
        _ = shell.type("""
            r = run(experiment(tables: ins, generators: [independent(), gaussian_copula(), tvae(epochs: 3), independent() with laplace(epsilon: [0.5, 4])],
                               seeds: [1, 2], holdout: 0.2, validators: [quality, utility(models: "linear"), privacy_risk]))
            """)
        return (shell, folder)
    }()

    @Test func theHTMLReportRendersInHeadlessChromium() throws {
        let (shell, folder) = Self.run
        #expect(shell.type(#"export(r, "\#(folder)/report.html")"#), Comment(rawValue: shell.errors))
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        // Self-contained: no scripts, no external resources.
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 15, "bars, privacy curves, losses, marginals, heatmaps")
        for section in ["Comparison", "Paired differences", "Metrics: ins", "Privacy and utility: ins", "Fidelity, utility and privacy risk: ins",
                        "Training losses", "Real and synthetic: ins", "Costs", "Provenance"] {
            #expect(html.contains("<h2>\(section)"), "\(section)")
        }
        #expect(html.contains("<strong>"), "the best values are marked")
        #expect(html.contains("<th>compared with</th>") && html.contains("Each configuration against the best mean of quality on its table"))
        // A table wider than the page (the comparison has a column per metric) scrolls in its
        // own box instead of running off the page.
        let tables = html.components(separatedBy: "<table>").count - 1
        #expect(tables == 4 && html.components(separatedBy: "<div class=\"wide\">\n<table>").count - 1 == tables)
        #expect(html.contains("<th>fit s</th>") && html.contains("<th>peak MiB</th>"), "the costs table")
        #expect(html.contains(".wide { overflow-x: auto; }"))
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: folder + "/blank.html", atomically: true, encoding: .utf8)
        let report = try Self.screenshot(folder + "/report.html", to: folder + "/report.png")
        let blank = try Self.screenshot(folder + "/blank.html", to: folder + "/blank.png")
        // A blank page compresses to almost nothing; the report's figures and tables do not.
        #expect(report > 5 * blank, "report \(report) bytes, blank page \(blank) bytes")
        #expect(report > 50_000)
    }

    /// A blank summary cell and a mean over only some seeds are said under the table, in the
    /// text mode and the report, not in the exports that carry the data.
    @Test func blanksAndMeansOverSomeSeedsAreExplained() throws {
        func metric(_ name: String, _ value: Double?) -> MetricResult {
            MetricResult(validator: "utility", metric: Metric(name: name, value: value, orElse: "the synthetic table's 'income' has a single class",
                                                             goal: .maximize, range: 0...1))
        }
        func trial(_ generator: String, _ seed: UInt64, f1: Double?, auc: Double?, quality: Double, error: String? = nil) -> TrialResult {
            TrialResult(table: "adult", generator: generator, seed: seed, epsilon: nil, delta: nil,
                        metrics: error == nil ? [metric("quality", quality), metric("boosting_f1", f1), metric("boosting_roc_auc", auc)] : [],
                        fitSeconds: 1, sampleSeconds: 0, error: error)
        }
        let results = ExperimentResults(trials: [
            trial("ctgan", 1, f1: 0.5, auc: 0.8, quality: 0.8), trial("ctgan", 2, f1: 0.6, auc: 0.7, quality: 0.8),
            trial("tvae", 1, f1: nil, auc: nil, quality: 0.7), trial("tvae", 2, f1: nil, auc: nil, quality: 0.7),
            trial("copula", 1, f1: 0.4, auc: 0.6, quality: 0.9), trial("copula", 2, f1: nil, auc: nil, quality: 0.9),
            trial("copula", 3, f1: nil, auc: 0.6, quality: 0.9),
            trial("bn", 1, f1: 0.4, auc: nil, quality: 0.9), trial("bn", 2, f1: nil, auc: nil, quality: 0, error: "killed"),
            trial("bn", 3, f1: 0.5, auc: nil, quality: 0.9),
        ])
        #expect(Views.summaryNotes(results) == [
            "A blank cell: no trial of its row could compute that metric.",
            "copula on adult: boosting_f1 is a mean over 1 of its 3 seeds",
            "copula on adult: boosting_roc_auc is a mean over 2 of its 3 seeds",
            "details() gives every trial's values, and why each missing one is not applicable.",
        ])
        let shown = Display.render(.results(results), mode: .table)
        #expect(shown.hasSuffix("+\n" + Views.summaryNotes(results).map { $0 + "\n" }.joined()), Comment(rawValue: shown))
        #expect(!Display.render(.results(results), mode: .csv).contains("blank"))
        #expect(Report.html(results).contains("copula on adult: boosting_f1 is a mean over 1 of its 3 seeds<br>"))
        // Nothing to say when every trial computed every metric.
        #expect(Views.summaryNotes(ExperimentResults(trials: Array(results.trials.prefix(2)))).isEmpty)
        // A failed trial is not a seed the mean could have covered.
        let failedToo = ExperimentResults(trials: results.trials.filter { $0.generator == "bn" } + [trial("bn", 4, f1: nil, auc: nil, quality: 0.9)])
        #expect(Views.summaryNotes(failedToo).contains("bn on adult: boosting_f1 is a mean over 2 of the 3 seeds that ran"))
    }

    @Test func theLaTeXExportIsAWellFormedBooktabsTable() throws {
        let (shell, folder) = Self.run
        #expect(shell.type(#"export(r, "\#(folder)/r.tex")"#), Comment(rawValue: shell.errors))
        let tex = try String(contentsOfFile: folder + "/r.tex", encoding: .utf8)
        let problems = Self.checkBooktabs(tex)
        #expect(problems.isEmpty, "\(problems)\n\(tex)")
        #expect(tex.contains("\\textbf{"), "the best values are bold")
        #expect(tex.contains("independent with laplace(epsilon: 0.5)"))
        // The checker catches what breaks LaTeX.
        #expect(!Self.checkBooktabs(tex.replacingOccurrences(of: "column\\_shapes", with: "column_shapes")).isEmpty)
        #expect(!Self.checkBooktabs(tex.replacingOccurrences(of: "\\midrule\n", with: "")).isEmpty)
        #expect(!Self.checkBooktabs(tex.replacingOccurrences(of: " & ", with: " ", options: [], range: tex.range(of: "\\midrule")!.upperBound..<tex.endIndex)).isEmpty)
    }

    /// Where the constraints validator ran, the report has a table of each rule's breaks: the
    /// real rows' share first, then each configuration's.
    @Test func theReportTablesTheRulesBroken() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder("synthlab-report")
        #expect(shell.type(#"taxis = load("\#(Support.data("nyc_taxis.csv"))")"#))
        #expect(shell.type("""
            r = run(experiment(tables: taxis, generators: [independent(), bayesian_network()], seeds: [1, 2], rows: 500,
                               validators: [quality, constraints(rules: "dropoff >= pickup; pickup_zone -> pickup_borough")]))
            """), Comment(rawValue: shell.errors))
        #expect(shell.type(#"export(r, "\#(folder)/rules.html")"#), Comment(rawValue: shell.errors))
        let html = try String(contentsOfFile: folder + "/rules.html", encoding: .utf8)
        let section = try #require(html.components(separatedBy: "<h2>Rules: taxis</h2>").dropFirst().first?.components(separatedBy: "<h2>").first)
        #expect(section.contains("<th>dropoff &gt;= pickup</th><th>pickup_zone -&gt; pickup_borough</th>"), Comment(rawValue: section))
        #expect(section.contains("<tr><td>real rows</td><td class=\"n\">0.0000 ± 0.0000</td><td class=\"n\">0.0000 ± 0.0000</td></tr>"), Comment(rawValue: section))
        // The network learns which borough each zone lies in; the baseline does not.
        #expect(section.range(of: #"<tr><td>bayesian_network</td><td class="n">0\.\d{4} ± 0\.\d{4}</td><td class="n">0\.0000 ± 0\.0000</td></tr>"#,
                              options: .regularExpression) != nil, Comment(rawValue: section))
        #expect(section.contains("<tr><td>independent</td>"))
        #expect(!section.contains("Every model was made to keep"))
        // An experiment whose models keep rules says which, and how.
        #expect(shell.type("""
            k = run(experiment(tables: taxis, generators: independent(), seeds: [1], rows: 300, keep: "dropoff >= pickup",
                               validators: constraints(rules: "dropoff >= pickup")))
            """), Comment(rawValue: shell.errors))
        #expect(shell.type(#"export(k, "\#(folder)/kept.html")"#), Comment(rawValue: shell.errors))
        #expect(try String(contentsOfFile: folder + "/kept.html", encoding: .utf8)
                    .contains("Every model was made to keep dropoff &gt;= pickup, learning each rule it could (an inequality as a gap, a dependency as a mapping).</p>"))
        // A report without the validator has no such section.
        let other = Self.run
        #expect(other.shell.type(#"export(r, "\#(other.folder)/no-rules.html")"#))
        #expect(!(try String(contentsOfFile: other.folder + "/no-rules.html", encoding: .utf8)).contains("<h2>Rules"))
    }

    @Test func figuresAreWrittenOnTheirOwn() throws {
        let (shell, folder) = Self.run
        for (statement, file) in [
            (#"figure("metric", r, metric: "quality", to: "\#(folder)/quality.svg")"#, "quality.svg"),
            (#"figure("privacy", r, metric: "quality", to: "\#(folder)/privacy.svg")"#, "privacy.svg"),
            (#"figure("losses", r, to: "\#(folder)/losses.svg")"#, "losses.svg"),
            (#"figure("tradeoff", r, metric: "linear_r2", against: "mia_auc", to: "\#(folder)/tradeoff.svg")"#, "tradeoff.svg"),
        ] {
            #expect(shell.type(statement), Comment(rawValue: shell.errors))
            let svg = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"), "\(file)")
            #expect(try XMLDocument(xmlString: svg).rootElement()?.name == "svg", "\(file) is well-formed XML")
        }
        #expect(shell.type(#"s = sample(fit(gaussian_copula(), ins, seed: 1), rows: 500)"#))
        #expect(shell.type(#"figure("distribution", ins, synthetic: s, column: "bmi", to: "\#(folder)/bmi.svg")"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"figure("correlations", ins, synthetic: s, to: "\#(folder)/corr.svg")"#), Comment(rawValue: shell.errors))
        // Past twelve categories, the eleven most frequent and one bar for the others.
        let many = Column(name: "c", values: .categorical(codes: (0..<200).map { Int32($0 % 20) }, levels: (0..<20).map { "level \($0)" }))
        let bars = SVG.distribution(real: many, synthetic: many)
        #expect(bars.components(separatedBy: "<rect x=").count - 1 == 2 * 12 + 2, "12 bars of two, and the legend's two keys")
        #expect(bars.contains(">9 others</text>") && bars.contains(">level 0</text>") && !bars.contains(">level 19</text>"))
        #expect(try XMLDocument(xmlString: bars).rootElement() != nil)
        let few = Column(name: "c", values: .categorical(codes: (0..<12).map { Int32($0) }, levels: (0..<12).map { "level \($0)" }))
        #expect(!SVG.distribution(real: few, synthetic: few).contains("others"))
        #expect(try XMLDocument(xmlString: String(contentsOfFile: folder + "/corr.svg", encoding: .utf8)).rootElement() != nil)
        #expect(shell.result(#"figure("metric", r, metric: "qualty", to: "\#(folder)/x.svg")"#).contains("did you mean `quality`?"))
        #expect(shell.result(#"figure("metric", r, metric: "f1", to: "\#(folder)/x.svg")"#).contains("no trial reported 'f1' (the trials reported: "))
        #expect(shell.result(#"figure("distribution", ins, synthetic: s, column: "bmo", to: "\#(folder)/x.svg")"#).contains("no column 'bmo'"))
        #expect(shell.result(#"figure("distributon", ins, synthetic: s, column: "bmi", to: "\#(folder)/x.svg")"#)
            .contains("no figure kind 'distributon' (did you mean `distribution`?) (kinds: metric, privacy, tradeoff, losses, distribution, correlations)"))
        // A trade-off has a point per configuration (five here), and needs its x axis named.
        let tradeoff = try String(contentsOfFile: folder + "/tradeoff.svg", encoding: .utf8)
        #expect(tradeoff.components(separatedBy: "<circle").count - 1 == 5 && tradeoff.contains("linear_r2 against mia_auc on ins"))
        #expect(shell.result(#"figure("tradeoff", r, to: "\#(folder)/x.svg")"#).contains("needs against: the metric on the x axis"))
        #expect(shell.result(#"figure("tradeoff", r, against: "mia", to: "\#(folder)/x.svg")"#).contains("no trial reported 'mia' (did you mean `mia_auc`?)"))
        #expect(shell.result(#"figure("metric", r, against: "mia_auc", to: "\#(folder)/x.svg")"#).contains("against: is for figure(\"tradeoff\", …)"))
        #expect(shell.result(#"figure("pie", r, to: "\#(folder)/x.svg")"#).contains("no figure kind 'pie'"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.svg"))
    }

    /// Axes: epochs get whole-number ticks, and bars that are all zero an axis of 0 to 1.
    @Test func axesSuitTheirValues() throws {
        #expect(SVG.ticks(1, 3) == [1, 1.5, 2, 2.5, 3])
        #expect(SVG.ticks(1, 3, integers: true) == [1, 2, 3])
        #expect(SVG.ticks(1, 300, integers: true) == [100, 200, 300])
        #expect(SVG.ticks(0, 12, integers: true) == [0, 2, 4, 6, 8, 10, 12])
        let losses = SVG.lines(title: "t", xLabel: "epoch", yLabel: "loss", series: [("loss", [(1, 3.0), (2, 2.5), (3, 2.0)])])
        #expect(losses.contains(">2</text>") && !losses.contains(">1.5</text>"))
        let zeros = SVG.bars(title: "t", metric: "exact_copy_rate", labels: ["a", "b"], means: [0, 0], deviations: [nil, nil])
        #expect(zeros.contains(">1</text>") && !zeros.contains("e-"), "an axis of 0 to 1")
    }

    /// A legend sits in a column of its own right of the plotting area: no swatch or name covers
    /// a line, however long the names or many the series.
    @Test func legendsStayOffTheData() throws {
        let names = ["loss_g", "loss_d", "penalty", "a name longer than the legend shows"] + (1...20).map { "series \($0)" }
        let series = names.enumerated().map { index, name in (name: name, points: [(1.0, Double(index)), (300.0, Double(-index))]) }
        let svg = SVG.lines(title: "t", xLabel: "epoch", yLabel: "loss", series: series)
        let root = try #require(try XMLDocument(xmlString: svg).rootElement())
        func attribute(_ node: XMLElement, _ name: String) -> String? { node.attributes?.first { $0.name == name }?.stringValue }
        func number(_ node: XMLElement, _ name: String) -> Double { Double(attribute(node, name) ?? "") ?? .nan }
        // The SVG namespace is the document's default, so the elements are found by their local names.
        let elements = (root.children ?? []).compactMap { $0 as? XMLElement }
        let lines = elements.filter { $0.localName == "polyline" }
        #expect(lines.count == names.count)
        let rightmost = lines.flatMap { (attribute($0, "points") ?? "").split(separator: " ") }
            .compactMap { $0.split(separator: ",").first.flatMap { Double($0) } }.max() ?? .infinity
        let swatches = elements.filter { $0.localName == "rect" && attribute($0, "width") == "10" }
        #expect(swatches.count == names.count)
        #expect(swatches.allSatisfy { number($0, "x") > rightmost }, "every swatch right of the data (x > \(rightmost))")
        let width = number(root, "width"), height = number(root, "height")
        #expect(swatches.allSatisfy { number($0, "y") + 10 <= height }, "every entry inside the figure's height \(height)")
        // The longest name is cut to 24 characters, and the column is wide enough for it.
        #expect(svg.contains(">a name longer than the l</text>") && !svg.contains("legend shows"))
        #expect(swatches.allSatisfy { number($0, "x") + 14 + 6.5 * 24 <= width })
    }

    /// Renders a page with headless Chromium and returns the PNG's size in bytes.
    static func screenshot(_ page: String, to png: String) throws -> Int {
        let result = try Support.run("/usr/bin/env", ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                      "--window-size=1300,3000", "--screenshot=\(png)", "file://\(page)"],
                                     environment: ["HOME": Support.temporaryFolder("chromium-home")])
        guard result.status == 0, let size = try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int else {
            throw SupportError("chromium failed (\(result.status)): \(result.stderr.suffix(500))")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG file")
        return size
    }

    /// The problems that would stop LaTeX (with booktabs) on a tabular: the environment and its
    /// column spec, the three rules in order, each row's cell count, unescaped specials, braces.
    static func checkBooktabs(_ tex: String) -> [String] {
        var problems: [String] = []
        let lines = tex.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        guard let first = lines.first, first.hasPrefix("\\begin{tabular}{"), first.hasSuffix("}") else { return ["no \\begin{tabular}{…}"] }
        let spec = first.dropFirst("\\begin{tabular}{".count).dropLast()
        guard !spec.isEmpty, spec.allSatisfy({ "lrc".contains($0) }) else { return ["bad column spec '\(spec)'"] }
        guard lines.last == "\\end{tabular}" else { return ["no \\end{tabular} at the end"] }
        let body = Array(lines.dropFirst().dropLast())
        let rules = body.enumerated().filter { $0.element.hasPrefix("\\") && ["\\toprule", "\\midrule", "\\bottomrule"].contains($0.element) }
        if rules.map(\.element) != ["\\toprule", "\\midrule", "\\bottomrule"] { problems.append("rules \(rules.map(\.element))") }
        if body.first != "\\toprule" || body.last != "\\bottomrule" { problems.append("the table must open with \\toprule and close with \\bottomrule") }
        for line in body where !["\\toprule", "\\midrule", "\\bottomrule"].contains(line) {
            guard line.hasSuffix(" \\\\") else { problems.append("row without \\\\: \(line)"); continue }
            var cells = 1, depth = 0, escaped = false
            for character in line.dropLast(3) {
                if escaped { escaped = false; continue }
                switch character {
                case "\\": escaped = true
                case "{": depth += 1
                case "}": depth -= 1; if depth < 0 { problems.append("unbalanced braces: \(line)") }
                case "&": if depth == 0 { cells += 1 }
                case "_", "%", "#", "^", "~": problems.append("unescaped \(character): \(line)")
                case "$": break
                default: break
                }
            }
            if depth != 0 { problems.append("unbalanced braces: \(line)") }
            if cells != spec.count { problems.append("\(cells) cells for \(spec.count) columns: \(line)") }
        }
        return problems
    }
}
