// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

import android.content.Context;
import android.view.View;
import android.view.ViewGroup;

import java.util.List;

public class ArrayAdapter<T> extends BaseAdapter {
    public ArrayAdapter(Context context, int resource, List<T> objects) { throw new RuntimeException("stub"); }

    @Override
    public int getCount() { throw new RuntimeException("stub"); }

    @Override
    public T getItem(int position) { throw new RuntimeException("stub"); }

    @Override
    public long getItemId(int position) { throw new RuntimeException("stub"); }

    @Override
    public View getView(int position, View convertView, ViewGroup parent) { throw new RuntimeException("stub"); }
}
