package android.widget;

import android.view.View;

/** Stand-in of android.widget.CheckBox: a tap toggles it, like the real one. */
public class CheckBox extends Button {
    private boolean checked;

    public CheckBox(String text, boolean checked) {
        super(text);
        this.checked = checked;
        setOnClickListener(null);
    }

    @Override
    public void setOnClickListener(View.OnClickListener listener) {
        super.setOnClickListener(view -> {
            this.checked = !this.checked;
            if (listener != null) {
                listener.onClick(view);
            }
        });
    }

    @Override
    public boolean isCheckable() {
        return true;
    }

    @Override
    public boolean isChecked() {
        return checked;
    }
}
