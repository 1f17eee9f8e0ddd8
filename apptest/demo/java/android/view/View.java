package android.view;

/** Stand-in of android.view.View: what uiautomator would report (class, id, text, bounds). */
public class View {
    public interface OnClickListener {
        void onClick(View view);
    }

    private String resourceId = "";
    private OnClickListener listener;
    private int left;
    private int top;
    private int right;
    private int bottom;

    public View setId(String resourceId) {
        this.resourceId = resourceId;
        return this;
    }

    public String getResourceName() {
        return resourceId;
    }

    public void setOnClickListener(OnClickListener listener) {
        this.listener = listener;
    }

    public boolean isClickable() {
        return listener != null;
    }

    public boolean performClick() {
        if (listener == null) {
            return false;
        }
        listener.onClick(this);
        return true;
    }

    /** Height the simple vertical layout gives this view. */
    public int preferredHeight() {
        return 120;
    }

    public void layout(int l, int t, int r, int b) {
        left = l;
        top = t;
        right = r;
        bottom = b;
    }

    public int[] bounds() {
        return new int[] {left, top, right, bottom};
    }

    public String getText() {
        return "";
    }

    public boolean isCheckable() {
        return false;
    }

    public boolean isChecked() {
        return false;
    }
}
