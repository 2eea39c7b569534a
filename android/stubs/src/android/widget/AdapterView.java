// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

import android.content.Context;
import android.view.View;
import android.view.ViewGroup;

public abstract class AdapterView<T extends Adapter> extends ViewGroup {
    public AdapterView(Context context) { super(context); throw new RuntimeException("stub"); }

    public void setOnItemClickListener(OnItemClickListener listener) { throw new RuntimeException("stub"); }

    public interface OnItemClickListener {
        void onItemClick(AdapterView<?> parent, View view, int position, long id);
    }
}
