package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgPlotTest {
    @Test
    void rendersWellFormedSvgWithOnePathPerSeriesAndGapsForMissingValues() throws Exception {
        String svg = SvgPlot.render("MNIST <784-256-128-10>", List.of(
                new SvgPlot.Panel("loss", List.of(
                        new SvgPlot.Series("loss", new double[] {0.9, 0.4, 0.2, 0.1}),
                        new SvgPlot.Series("val_loss", new double[] {1.0, Double.NaN, 0.3, 0.25}))),
                new SvgPlot.Panel("accuracy", List.of(
                        new SvgPlot.Series("accuracy", new double[] {0.8, 0.9, 0.95, 0.97})))));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertEquals(3, doc.getElementsByTagName("path").getLength());
        String valPath = doc.getElementsByTagName("path").item(1).getAttributes().getNamedItem("d").getNodeValue();
        assertEquals(2, valPath.chars().filter(c -> c == 'M').count(), "NaN should break the line: " + valPath);
        assertTrue(svg.contains("&lt;784-256-128-10&gt;"));
        assertEquals(11, doc.getElementsByTagName("circle").getLength());
    }

    @Test
    void singleEpochAndConstantSeriesStillRender() throws Exception {
        String svg = SvgPlot.render("one", List.of(new SvgPlot.Panel("loss",
                List.of(new SvgPlot.Series("loss", new double[] {0.5})))));
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains("<circle"));
        assertTrue(!svg.contains("NaN") && !svg.contains("Infinity"), svg);
    }

    @Test
    void niceTicksAreRoundAndCoverTheRange() {
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1.0}, SvgPlot.niceTicks(0.03, 0.97, 5), 1e-9);
        double[] t = SvgPlot.niceTicks(0.0123, 0.0456, 5);
        assertTrue(t[0] <= 0.0123 && t[t.length - 1] >= 0.0456);
    }
}
