package org.vlm4j.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * A Lucene index of image embeddings: one document per image (path, caption, signature, location, and the
 * L2-normalised embedding as an HNSW-indexed {@link KnnFloatVectorField} with dot-product similarity, i.e. cosine).
 * Search is approximate (HNSW) or exact (brute force over every live vector, the reference). Documents are keyed by
 * path: {@link #upsert} replaces, {@link #delete} removes; nothing is visible to other processes until
 * {@link #commit}, which is atomic (a killed build loses only what it had not committed).
 *
 * <p>The model's fingerprint and the embedding size are stored with every commit; opening an index with another
 * model fails with {@link IndexMismatchException}. Thread-safe: searches may run concurrently with each other and
 * with writes.
 */
public final class VectorIndex implements AutoCloseable {
    static final String PATH = "path";
    static final String CAPTION = "caption";
    static final String SIGNATURE = "sig";
    static final String FILE = "file";
    static final String MEMBER = "member";
    static final String OFFSET = "offset";
    static final String LENGTH = "length";
    static final String VECTOR = "vector";

    /** HNSW candidates gathered per query before the top k are taken (Elasticsearch's num_candidates). */
    public static final int DEFAULT_CANDIDATES = 100;

    private final Path dir;
    private final Directory directory;
    private final IndexWriter writer; // null when read-only
    private final SearcherManager searchers;
    private volatile IndexMeta meta;

    private VectorIndex(Path dir, Directory directory, IndexWriter writer, SearcherManager searchers, IndexMeta meta) {
        this.dir = dir;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.meta = meta;
    }

    /** HNSW graph: links per node and the beam width while inserting (Lucene's defaults are 16 and 100). */
    public static final int HNSW_MAX_CONN = 32;
    public static final int HNSW_BEAM_WIDTH = 200;

    /**
     * Lucene's default codec with a denser HNSW graph for the vector field. Readers need nothing special: the
     * per-field format is recorded by name in the segment, and the format is Lucene's own.
     */
    private static Codec codec() {
        return new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return new Lucene99HnswVectorsFormat(HNSW_MAX_CONN, HNSW_BEAM_WIDTH);
            }
        };
    }

    /** Whether {@code dir} holds a committed index. */
    public static boolean exists(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Directory d = FSDirectory.open(dir)) {
            return DirectoryReader.indexExists(d);
        }
    }

    /** The metadata of the last commit. */
    public static IndexMeta readMeta(Path dir) throws IOException {
        if (!exists(dir)) {
            throw new IllegalArgumentException(dir + ": not a vlm4j index (no Lucene commit there)");
        }
        try (Directory d = FSDirectory.open(dir)) {
            IndexMeta m = IndexMeta.fromUserData(SegmentInfos.readLatestCommit(d).getUserData(), dir.toString());
            if (m == null) {
                throw new IllegalArgumentException(dir + ": a Lucene index, but not one written by vlm4j");
            }
            return m;
        }
    }

    /**
     * Opens {@code dir} for writing, creating it (with {@code expected} as its metadata) if it holds no index.
     *
     * @throws IndexMismatchException if the existing index was built with another model or embedding size
     */
    public static VectorIndex openForWriting(Path dir, IndexMeta expected) throws IOException {
        IndexMeta current = exists(dir) ? readMeta(dir) : null;
        if (current != null) {
            check(dir, current, expected.fingerprint(), expected.modelDir(), expected.dim());
        }
        Files.createDirectories(dir);
        Directory d = FSDirectory.open(dir);
        try {
            IndexWriterConfig cfg = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(64).setCodec(codec());
            IndexWriter w = new IndexWriter(d, cfg);
            IndexMeta m = current != null ? current : expected;
            if (current == null) {
                w.setLiveCommitData(m.toUserData().entrySet());
                w.commit();
            }
            return new VectorIndex(dir, d, w, new SearcherManager(w, null), m);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /**
     * Opens an existing index for searching.
     *
     * @param fingerprint the model's {@link ModelFingerprint}, or null to skip the check (stats only)
     * @param modelDir    the model's directory, for the message
     */
    public static VectorIndex openForReading(Path dir, String fingerprint, String modelDir) throws IOException {
        IndexMeta m = readMeta(dir);
        if (fingerprint != null) {
            check(dir, m, fingerprint, modelDir, m.dim());
        }
        Directory d = FSDirectory.open(dir);
        try {
            return new VectorIndex(dir, d, null, new SearcherManager(d, null), m);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private static void check(Path dir, IndexMeta have, String fingerprint, String modelDir, int dim) {
        if (!have.fingerprint().equals(fingerprint)) {
            throw new IndexMismatchException(dir + ": this index was built with another model (" + have.modelDir()
                    + ", fingerprint " + have.fingerprint().substring(0, 12) + ") than " + modelDir + " (fingerprint "
                    + fingerprint.substring(0, 12) + "); use that model, or build a new index with this one");
        }
        if (have.dim() != dim) {
            throw new IndexMismatchException(dir + ": index holds " + have.dim() + "-d embeddings, the model gives "
                    + dim + "-d");
        }
    }

    public Path dir() {
        return dir;
    }

    public IndexMeta meta() {
        return meta;
    }

    public boolean writable() {
        return writer != null;
    }

    private IndexWriter writer() {
        if (writer == null) {
            throw new IllegalStateException(dir + ": opened read-only");
        }
        return writer;
    }

    /** Adds the image, replacing any document with the same path. */
    public void upsert(IndexedImage img, float[] embedding) throws IOException {
        if (embedding.length != meta.dim()) {
            throw new IllegalArgumentException(img.path() + ": embedding has " + embedding.length + " values, the index "
                    + meta.dim());
        }
        Document doc = new Document();
        doc.add(new StringField(PATH, img.path(), Field.Store.YES));
        doc.add(new StoredField(CAPTION, img.caption()));
        doc.add(new StoredField(SIGNATURE, img.signature()));
        doc.add(new StoredField(FILE, img.file().toString()));
        if (img.member() != null) {
            doc.add(new StoredField(MEMBER, img.member()));
        }
        doc.add(new StoredField(OFFSET, img.offset()));
        doc.add(new StoredField(LENGTH, img.length()));
        doc.add(new KnnFloatVectorField(VECTOR, embedding, VectorSimilarityFunction.DOT_PRODUCT));
        writer().updateDocument(new Term(PATH, img.path()), doc);
    }

    public void delete(String path) throws IOException {
        writer().deleteDocuments(new Term(PATH, path));
    }

    /** Makes everything written so far durable and visible, with {@code m} as the index's metadata. */
    public void commit(IndexMeta m) throws IOException {
        if (!m.fingerprint().equals(meta.fingerprint()) || m.dim() != meta.dim()) {
            throw new IllegalArgumentException("commit metadata names another model");
        }
        writer().setLiveCommitData(m.toUserData().entrySet());
        writer().commit();
        meta = m;
        searchers.maybeRefresh();
    }

    public void commit() throws IOException {
        commit(meta);
    }

    /** Picks up commits made by other processes (read-only) or this writer's changes. */
    public void refresh() throws IOException {
        searchers.maybeRefresh();
    }

    /** Live documents. */
    public int count() throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            return s.getIndexReader().numDocs();
        } finally {
            searchers.release(s);
        }
    }

    /** Number of Lucene segments (for stats). */
    public int segments() throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            return s.getIndexReader().leaves().size();
        } finally {
            searchers.release(s);
        }
    }

    /** Path -> signature of every live document (what an incremental build compares against). */
    public Map<String, String> signatures() throws IOException {
        searchers.maybeRefreshBlocking();
        IndexSearcher s = searchers.acquire();
        try {
            Map<String, String> out = new HashMap<>();
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields fields = leaf.reader().storedFields();
                for (int d = 0; d < leaf.reader().maxDoc(); d++) {
                    if (live == null || live.get(d)) {
                        Document doc = fields.document(d, java.util.Set.of(PATH, SIGNATURE));
                        out.put(doc.get(PATH), doc.get(SIGNATURE));
                    }
                }
            }
            return out;
        } finally {
            searchers.release(s);
        }
    }

    /** The indexed image with this exact path, if any. */
    public Optional<IndexedImage> get(String path) throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            TopDocs td = s.search(new TermQuery(new Term(PATH, path)), 1);
            if (td.scoreDocs.length == 0) {
                return Optional.empty();
            }
            return Optional.of(image(s.storedFields().document(td.scoreDocs[0].doc)));
        } finally {
            searchers.release(s);
        }
    }

    private static IndexedImage image(Document d) {
        return new IndexedImage(d.get(PATH), d.get(CAPTION), d.get(SIGNATURE), Path.of(d.get(FILE)), d.get(MEMBER),
                d.getField(OFFSET).numericValue().longValue(), d.getField(LENGTH).numericValue().intValue());
    }

    /** Approximate k nearest neighbours (HNSW), best first, gathering {@link #DEFAULT_CANDIDATES} candidates. */
    public List<SearchHit> search(float[] query, int k) throws IOException {
        return search(query, k, DEFAULT_CANDIDATES);
    }

    /** Approximate k nearest neighbours from {@code max(k, candidates)} HNSW candidates, best first. */
    public List<SearchHit> search(float[] query, int k, int candidates) throws IOException {
        checkQuery(query, k);
        IndexSearcher s = searchers.acquire();
        try {
            int n = Math.max(k, candidates);
            TopDocs td = s.search(new KnnFloatVectorQuery(VECTOR, query, n), n);
            List<SearchHit> out = new ArrayList<>();
            StoredFields fields = s.storedFields();
            for (ScoreDoc sd : td.scoreDocs) {
                if (out.size() == k) {
                    break;
                }
                Document d = fields.document(sd.doc, java.util.Set.of(PATH, CAPTION));
                // Lucene's DOT_PRODUCT score is (1 + dot) / 2; report the cosine itself.
                out.add(new SearchHit(d.get(PATH), d.get(CAPTION), 2 * sd.score - 1));
            }
            return out;
        } finally {
            searchers.release(s);
        }
    }

    /** Exact k nearest neighbours by brute force over every live vector, best first (ties: lower doc id first). */
    public List<SearchHit> exactSearch(float[] query, int k) throws IOException {
        checkQuery(query, k);
        IndexSearcher s = searchers.acquire();
        try {
            record Scored(int doc, float score) {}
            PriorityQueue<Scored> heap = new PriorityQueue<>((a, b) -> a.score != b.score
                    ? Float.compare(a.score, b.score) : Integer.compare(b.doc, a.doc));
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                FloatVectorValues vals = leaf.reader().getFloatVectorValues(VECTOR);
                if (vals == null) {
                    continue;
                }
                Bits live = leaf.reader().getLiveDocs();
                for (int d = vals.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = vals.nextDoc()) {
                    if (live != null && !live.get(d)) {
                        continue;
                    }
                    float[] v = vals.vectorValue();
                    float dot = 0;
                    for (int i = 0; i < v.length; i++) {
                        dot += v[i] * query[i];
                    }
                    heap.add(new Scored(leaf.docBase + d, dot));
                    if (heap.size() > k) {
                        heap.poll();
                    }
                }
            }
            List<Scored> best = new ArrayList<>(heap);
            best.sort((a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
            StoredFields fields = s.storedFields();
            List<SearchHit> out = new ArrayList<>();
            for (Scored sc : best) {
                Document d = fields.document(sc.doc, java.util.Set.of(PATH, CAPTION));
                out.add(new SearchHit(d.get(PATH), d.get(CAPTION), sc.score));
            }
            return Collections.unmodifiableList(out);
        } finally {
            searchers.release(s);
        }
    }

    private void checkQuery(float[] query, int k) {
        if (query.length != meta.dim()) {
            throw new IllegalArgumentException("query has " + query.length + " values, the index holds " + meta.dim()
                    + "-d embeddings");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            searchers.close();
            if (writer != null) {
                writer.close(); // commits what is pending (Lucene's commitOnClose), with the current metadata
            }
        } finally {
            directory.close();
        }
    }
}
