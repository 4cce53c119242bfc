package org.vlm4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.eval.ZeroShotClassifier;
import org.vlm4j.index.IndexBuilder;
import org.vlm4j.index.IndexMeta;
import org.vlm4j.index.ModelFingerprint;
import org.vlm4j.index.TinyFixtures;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;

/**
 * The web page in a real browser: headless Chromium (Debian's chromium + chromium-driver) types a query and sees the
 * index's top image for it, then drops an image and sees its labels and itself as the most similar image. Expected
 * answers are computed directly (exact search, the zero-shot classifier) with the same model. Fails, never skips,
 * when Chromium is missing.
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("vlm4j.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("vlm4j.chromedriver", "/usr/bin/chromedriver"));

    @TempDir
    static Path tmp;
    static VlmModel vlm;
    static ImageTextEncoder enc;
    static VectorIndex index;
    static VlmServer server;
    static List<Path> images = new ArrayList<>();
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER), "the browser test needs " + CHROMIUM
                + " and " + DRIVER + ": apt-get install chromium chromium-driver (.ci/run installs them)");
        Path model = TinyFixtures.model(tmp.resolve("model"), 21);
        Path table = TinyFixtures.shapes(tmp.resolve("shapes"), 30, 22);
        for (String line : Files.readAllLines(table).subList(1, Files.readAllLines(table).size())) {
            images.add(table.getParent().resolve(line.split("\t")[0]).toAbsolutePath().normalize());
        }
        vlm = ModelDir.load(model);
        enc = (ImageTextEncoder) vlm;
        index = VectorIndex.openForWriting(tmp.resolve("index"), new IndexMeta(ModelFingerprint.of(model),
                model.toString(), vlm.family(), enc.embedDim(), List.of()));
        new IndexBuilder(enc).run(ImageTextDataset.open(table.toString()), index, IndexBuilder.Options.defaults(),
                (d, t) -> {});
        server = VlmServer.start(vlm, model.toString(), index, ServerOptions.defaults().withPort(0));

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--user-data-dir=" + tmp.resolve("chrome-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (index != null) {
            index.close();
        }
        if (vlm != null) {
            vlm.close();
        }
    }

    WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @Test
    void typesAQueryAndSeesTheTopImageThenDropsAnImageAndSeesLabels() throws Exception {
        browser.get(server.uri().toString());
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        assertTrue(browser.findElement(By.id("model-info")).getText().contains(images.size() + " images indexed"));

        String query = "a red circle";
        String expectedTop = index.exactSearch(enc.encodeTexts(List.of(query))[0], 1).get(0).path();
        WebElement box = browser.findElement(By.id("query"));
        box.sendKeys(query, Keys.ENTER); // the keyboard alone: type, Enter
        waiting().until(d -> !d.findElements(By.cssSelector("#results li")).isEmpty());
        List<WebElement> shown = browser.findElements(By.cssSelector("#results li"));
        assertEquals(12, shown.size());
        assertEquals(expectedTop, shown.get(0).getDomAttribute("data-path"));
        WebElement topImg = shown.get(0).findElement(By.tagName("img"));
        waiting().until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", topImg)));
        assertEquals(32L, ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", topImg),
                "the thumbnail is the indexed 32 px image, served by the server");

        // Drop an indexed image on the drop zone (a real DragEvent carrying a File).
        Path dropped = images.get(5);
        WebElement labels = browser.findElement(By.id("labels"));
        labels.clear();
        labels.sendKeys("red circle, blue square, green triangle");
        ((JavascriptExecutor) browser).executeScript(
                "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));"
                        + "const dt = new DataTransfer();"
                        + "dt.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));"
                        + "document.getElementById('drop').dispatchEvent(new DragEvent('drop',"
                        + " {dataTransfer: dt, bubbles: true, cancelable: true}));",
                Base64.getEncoder().encodeToString(Files.readAllBytes(dropped)));
        waiting().until(d -> d.findElements(By.cssSelector("#label-list li")).size() == 3
                && !d.findElements(By.cssSelector("#similar li")).isEmpty());
        List<String> expectedLabels = new ArrayList<>();
        new ZeroShotClassifier(enc, List.of("red circle", "blue square", "green triangle"), List.of(), false)
                .topK(enc.encodeImageFiles(List.of(dropped)), 3).get(0).forEach(p -> expectedLabels.add(p.label()));
        List<String> shownLabels = browser.findElements(By.cssSelector("#label-list li")).stream()
                .map(e -> e.getDomAttribute("data-label")).toList();
        assertEquals(expectedLabels, shownLabels);
        assertTrue(browser.findElement(By.cssSelector("#label-list li")).getText().matches(".+ — \\d+\\.\\d%"));
        assertEquals(dropped.toString(), browser.findElement(By.cssSelector("#similar li")).getDomAttribute("data-path"),
                "the most similar indexed image to a dropped indexed image is itself");
        assertTrue(browser.findElement(By.id("caption")).getDomAttribute("hidden") != null,
                "no caption line for a model that cannot caption");
    }
}
