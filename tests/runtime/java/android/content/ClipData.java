package android.content;

public class ClipData {
    private final String text;

    public ClipData(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return "ClipData { text/plain {T:" + text + "} }";
    }
}
