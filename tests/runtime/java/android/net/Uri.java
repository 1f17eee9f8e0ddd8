package android.net;

public abstract class Uri {
    public static Uri parse(String uriString) {
        return new StringUri(uriString);
    }

    private static final class StringUri extends Uri {
        private final String text;

        StringUri(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
