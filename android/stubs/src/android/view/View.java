// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.view;

import android.content.Context;

public class View {
    public static final int VISIBLE = 0x00000000;
    public static final int GONE = 0x00000008;

    public View(Context context) { throw new RuntimeException("stub"); }

    public final <T extends View> T findViewById(int id) { throw new RuntimeException("stub"); }

    public void setVisibility(int visibility) { throw new RuntimeException("stub"); }

    public void setOnClickListener(OnClickListener l) { throw new RuntimeException("stub"); }

    public void setPadding(int left, int top, int right, int bottom) { throw new RuntimeException("stub"); }

    public void setBackgroundColor(int color) { throw new RuntimeException("stub"); }

    public interface OnClickListener {
        void onClick(View v);
    }
}
