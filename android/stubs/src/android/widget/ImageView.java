// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

import android.content.Context;
import android.graphics.drawable.Drawable;
import android.view.View;

public class ImageView extends View {
    public ImageView(Context context) { super(context); throw new RuntimeException("stub"); }

    public void setImageDrawable(Drawable drawable) { throw new RuntimeException("stub"); }
}
