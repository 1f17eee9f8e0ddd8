package android.widget;

/** Stand-in of android.widget.Button. */
public class Button extends TextView {
    public Button(String text) {
        super(text);
    }

    @Override
    public int preferredHeight() {
        return 140;
    }
}
